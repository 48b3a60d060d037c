// Training CXRL's findings classifier: multi-label BCE over X-rays whose findings are
// known (phantoms' structured findings, or labels parsed from real reports).
import type { Raster } from '../../data/raster.js';
import { deriveSeed, seededRandom } from '../../data/random.js';
import { F, Generator, adamw, tensor, tidy } from '../../engine/index.js';
import { FindingsClassifier, type FindingsClassifierConfig } from '../../models/findings-classifier.js';
import { type Augmentation, augmentBatch } from '../augment.js';
import { auroc } from '../metrics.js';
import { type ModelInfo, loadVersionedNet, saveVersionedModel } from '../model-store.js';
import { rastersToUnitTensor } from '../plausibility/train.js';
import { batchStream, batched, cosineSchedule, rows, splitIndices } from '../tensors.js';
import type { Tensor } from '../../engine/index.js';

export interface FindingsExample {
  image: Raster;
  /** Finding name → present. Names missing here count as absent. */
  findings: Record<string, boolean>;
}

export interface TrainFindingsOptions {
  /** Finding names (default: every name seen in the examples, sorted). */
  findings?: string[];
  imageSize?: number;
  net?: Partial<Pick<FindingsClassifierConfig, 'widths' | 'convsPerStage' | 'groups'>>;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  valFraction?: number;
  augment?: Augmentation;
  seed?: number;
  onProgress?: (p: { step: number; steps: number; loss: number }) => void;
}

export interface FindingsMetrics {
  /** Held-out AUROC per finding (NaN where the held-out set lacks a class). */
  auroc: Record<string, number>;
  aurocMacro: number;
  /** Held-out share of (image, finding) decisions right at ½. */
  accuracy: number;
  heldOut: number;
  seconds: number;
}

export interface TrainedFindingsClassifier {
  net: FindingsClassifier;
  metrics: FindingsMetrics;
  options: Record<string, unknown>;
}

export const FINDINGS_KIND = 'medloop.findings-classifier';

/** P(finding present), row-major [N × findings], for [N, C, S, S] images in [0, 1]. */
export function predictFindings(net: FindingsClassifier, x: Tensor, batchSize = 128): Float32Array {
  const was = net.training;
  net.eval();
  const out = batched(x.dim(0), batchSize, (s, len) => tidy(() => net.forward(x.narrow(0, s, len)).sigmoid().toFloat32Array()));
  net.train(was);
  return out;
}

export function trainFindingsClassifier(examples: ReadonlyArray<FindingsExample>, opts: TrainFindingsOptions = {}): TrainedFindingsClassifier {
  const t0 = performance.now();
  const names = opts.findings ?? [...new Set(examples.flatMap((e) => Object.keys(e.findings)))].sort();
  const K = names.length;
  const size = opts.imageSize ?? Math.min(64, examples[0]!.image.width);
  const seed = opts.seed ?? 0;
  const x = rastersToUnitTensor(
    examples.map((e) => e.image),
    size,
    1,
  );
  const y = new Float32Array(examples.length * K);
  examples.forEach((e, i) => names.forEach((n, k) => (y[i * K + k] = e.findings[n] ? 1 : 0)));
  const [trainIdx, valIdx] = splitIndices(examples.length, opts.valFraction ?? 0.2, deriveSeed(seed, 'findings-split'));
  const net = new FindingsClassifier({ ...opts.net, inChannels: 1, imageSize: size, findings: names });
  const batchSize = Math.min(opts.batchSize ?? 32, trainIdx.length);
  const steps = Math.max(100, Math.ceil(((opts.epochs ?? 20) * trainIdx.length) / batchSize));
  const lrAt = cosineSchedule(opts.lr ?? 2e-3, steps);
  const opt = adamw(net.parameters(), { lr: lrAt(0), weightDecay: 1e-4 });
  const gen = new Generator(seed);
  const next = batchStream(trainIdx, batchSize, seededRandom(deriveSeed(seed, 'findings')));
  let ema = NaN;
  net.train();
  for (let step = 0; step < steps; step++) {
    opt.setLr(lrAt(step));
    const loss = tidy(() => {
      opt.zeroGrad();
      const idx = next();
      const target = tensor(Float32Array.from({ length: idx.length * K }, (_, j) => y[idx[Math.floor(j / K)]! * K + (j % K)]!), [idx.length, K]);
      const l = F.bceWithLogits(net.forward(augmentBatch(rows(x, idx), opts.augment ?? 'none', gen)), target);
      l.backward();
      opt.step();
      return l.item();
    });
    ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
    opts.onProgress?.({ step: step + 1, steps, loss: ema });
  }
  net.eval();
  const perFinding: Record<string, number> = {};
  let hits = 0;
  if (valIdx.length) {
    const xv = rows(x, valIdx);
    const p = predictFindings(net, xv);
    xv.dispose();
    names.forEach((n, k) => {
      const scores = valIdx.map((_, j) => p[j * K + k]!);
      const truth = valIdx.map((i) => y[i * K + k]!);
      perFinding[n] = auroc(scores, truth);
      scores.forEach((s, j) => (hits += (s >= 0.5) === (truth[j] === 1) ? 1 : 0));
    });
  }
  x.dispose();
  const finite = Object.values(perFinding).filter((v) => Number.isFinite(v));
  return {
    net,
    metrics: {
      auroc: perFinding,
      aurocMacro: finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN,
      accuracy: valIdx.length ? hits / (valIdx.length * K) : NaN,
      heldOut: valIdx.length,
      seconds: (performance.now() - t0) / 1000,
    },
    options: { imageSize: size, steps, batchSize, seed, findings: names, trainImages: trainIdx.length },
  };
}

export function saveFindingsClassifier(root: string, trained: TrainedFindingsClassifier, source: Record<string, unknown> = {}): { dir: string; info: ModelInfo } {
  return saveVersionedModel(root, { kind: FINDINGS_KIND, weights: trained.net.stateDict(), config: trained.net.config, metrics: { ...trained.metrics }, options: trained.options, source });
}

export function loadFindingsClassifier(path: string): { net: FindingsClassifier; info: ModelInfo } {
  return loadVersionedNet(path, FINDINGS_KIND, (config) => new FindingsClassifier(config as FindingsClassifierConfig));
}
