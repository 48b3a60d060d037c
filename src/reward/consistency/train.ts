// Training CXRL's image–report dual encoder with the symmetric InfoNCE loss of CLIP:
// in a batch of B pairs, image i should pick report i among the B reports and vice
// versa. Reports that are word-for-word identical (phantom reports often are) are
// not negatives of each other: their off-diagonal targets share the probability mass.
import type { Raster } from '../../data/raster.js';
import { deriveSeed, seededRandom } from '../../data/random.js';
import { adamw, tensor, tidy, type Tensor } from '../../engine/index.js';
import { DualEncoder, type DualEncoderConfig } from '../../models/dual-encoder.js';
import { ReportTokenizer } from '../../models/text-tokenizer.js';
import { type ModelInfo, loadVersionedNet, saveVersionedModel } from '../model-store.js';
import { rastersToUnitTensor } from '../plausibility/train.js';
import { batchStream, batched, cosineSchedule, rows, splitIndices } from '../tensors.js';

export interface ImageReportPair {
  image: Raster;
  report: string;
}

export interface TrainDualEncoderOptions {
  imageSize?: number;
  net?: Partial<Pick<DualEncoderConfig, 'widths' | 'convsPerStage' | 'groups' | 'textDim' | 'embedDim'>>;
  maxLength?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  valFraction?: number;
  seed?: number;
  onProgress?: (p: { step: number; steps: number; loss: number }) => void;
}

export interface RetrievalScores {
  /** Image → report top-1: the best-scoring report's text equals the true report's text. */
  top1: number;
  /** The same with the exact pair index (distinct but identical texts count as misses). */
  top1Index: number;
  /** Expected top-1 of a random guess (share of candidates with the true text). */
  chance: number;
  /** Mean cosine similarity of true pairs minus that of all other pairs. */
  margin: number;
  count: number;
}

export interface TrainedDualEncoder {
  net: DualEncoder;
  metrics: { retrieval?: RetrievalScores; seconds: number; heldOut: number };
  options: Record<string, unknown>;
}

export const DUAL_ENCODER_KIND = 'medloop.dual-encoder';

/** Cosine similarities [N] of image i with text i, for [N, C, S, S] images in [0, 1]. */
export function pairSimilarity(net: DualEncoder, x: Tensor, texts: ReadonlyArray<string>, batchSize = 128): Float32Array {
  const was = net.training;
  net.eval();
  const out = batched(x.dim(0), batchSize, (s, len) =>
    tidy(() => net.encodeImages(x.narrow(0, s, len)).mul(net.encodeTexts(texts.slice(s, s + len))).sum(1).toFloat32Array()),
  );
  net.train(was);
  return out;
}

/** Image → report retrieval among the given pairs (every report is a candidate for every image). */
export function retrievalAccuracy(net: DualEncoder, x: Tensor, texts: ReadonlyArray<string>): RetrievalScores {
  const n = texts.length;
  const was = net.training;
  net.eval();
  const sim = tidy(() => {
    const img = tensor(batched(n, 128, (s, len) => tidy(() => net.encodeImages(x.narrow(0, s, len)).toFloat32Array())), [n, net.config.embedDim]);
    const txt = tensor(batched(n, 256, (s, len) => tidy(() => net.encodeTexts(texts.slice(s, s + len)).toFloat32Array())), [n, net.config.embedDim]);
    return img.matmul(txt.T).toFloat32Array();
  });
  net.train(was);
  let top1 = 0;
  let top1Index = 0;
  let chance = 0;
  let diag = 0;
  let off = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < n; j++) if (sim[i * n + j]! > sim[i * n + best]!) best = j;
    if (texts[best] === texts[i]) top1++;
    if (best === i) top1Index++;
    chance += texts.filter((t) => t === texts[i]).length / n;
    for (let j = 0; j < n; j++) (i === j ? (diag += sim[i * n + j]!) : (off += sim[i * n + j]!));
  }
  return { top1: top1 / n, top1Index: top1Index / n, chance: chance / n, margin: diag / n - off / Math.max(1, n * (n - 1)), count: n };
}

export function trainDualEncoder(pairs: ReadonlyArray<ImageReportPair>, opts: TrainDualEncoderOptions = {}): TrainedDualEncoder {
  const t0 = performance.now();
  const seed = opts.seed ?? 0;
  const size = opts.imageSize ?? Math.min(64, pairs[0]!.image.width);
  const [trainIdx, valIdx] = splitIndices(pairs.length, opts.valFraction ?? 0.2, deriveSeed(seed, 'dual-split'));
  const tokenizer = ReportTokenizer.fromTexts(
    trainIdx.map((i) => pairs[i]!.report),
    { maxLength: opts.maxLength ?? 64 },
  );
  const net = new DualEncoder({ ...opts.net, inChannels: 1, imageSize: size, tokenizer: tokenizer.config });
  const x = rastersToUnitTensor(
    pairs.map((p) => p.image),
    size,
    1,
  );
  const texts = pairs.map((p) => p.report);
  const batchSize = Math.min(opts.batchSize ?? 64, trainIdx.length);
  const steps = Math.max(100, Math.ceil(((opts.epochs ?? 30) * trainIdx.length) / batchSize));
  const lrAt = cosineSchedule(opts.lr ?? 2e-3, steps);
  const opt = adamw(net.parameters(), { lr: lrAt(0), weightDecay: 1e-4 });
  const next = batchStream(trainIdx, batchSize, seededRandom(deriveSeed(seed, 'dual')));
  let ema = NaN;
  net.train();
  for (let step = 0; step < steps; step++) {
    opt.setLr(lrAt(step));
    const loss = tidy(() => {
      opt.zeroGrad();
      const idx = next();
      const b = idx.length;
      // Targets: uniform over the batch reports with the same text as the true one.
      const target = new Float32Array(b * b);
      for (let i = 0; i < b; i++) {
        const same = idx.map((j) => (texts[j] === texts[idx[i]!] ? 1 : 0));
        const k = same.reduce((s: number, v) => s + v, 0);
        same.forEach((v, j) => (target[i * b + j] = v / k));
      }
      const t = tensor(target, [b, b]);
      const logits = net.encodeImages(rows(x, idx)).matmul(net.encodeTexts(idx.map((i) => texts[i]!)).T).mul(net.scale());
      const li = logits.logSoftmax(1).mul(t).sum(1).mean().neg();
      const lt = logits.T.logSoftmax(1).mul(t.T).sum(1).mean().neg();
      const l = li.add(lt).mul(0.5);
      l.backward();
      opt.step();
      return l.item();
    });
    net.clampScale();
    ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
    opts.onProgress?.({ step: step + 1, steps, loss: ema });
  }
  net.eval();
  let retrieval: RetrievalScores | undefined;
  if (valIdx.length >= 2) {
    const xv = rows(x, valIdx);
    retrieval = retrievalAccuracy(
      net,
      xv,
      valIdx.map((i) => texts[i]!),
    );
    xv.dispose();
  }
  x.dispose();
  return {
    net,
    metrics: { ...(retrieval ? { retrieval } : {}), seconds: (performance.now() - t0) / 1000, heldOut: valIdx.length },
    options: { imageSize: size, steps, batchSize, seed, trainPairs: trainIdx.length, vocabulary: tokenizer.size },
  };
}

export function saveDualEncoder(root: string, trained: TrainedDualEncoder, source: Record<string, unknown> = {}): { dir: string; info: ModelInfo } {
  return saveVersionedModel(root, { kind: DUAL_ENCODER_KIND, weights: trained.net.stateDict(), config: trained.net.config, metrics: { ...trained.metrics }, options: trained.options, source });
}

export function loadDualEncoder(path: string): { net: DualEncoder; info: ModelInfo } {
  return loadVersionedNet(path, DUAL_ENCODER_KIND, (config) => new DualEncoder(config as DualEncoderConfig));
}
