// Training, prediction and checkpoint I/O for CnnClassifier. The loop reads top
// to bottom: seeded shuffle → dihedral augmentation (flips and transposes leave
// a cell's class unchanged) → AdamW step with warm-up and cosine decay, and an
// optional validation pass per epoch.
import {
  F,
  Generator,
  type Tensor,
  adamw,
  loadCheckpoint,
  manualSeed,
  noGrad,
  rand,
  randperm,
  saveCheckpoint,
  tensor,
  tidy,
  where,
} from '../engine/index.js';
import { type ClassifierConfig, CnnClassifier } from './classifier.js';

export interface LabelledImages {
  /** [N, C, H, W] in [0, 1]. */
  images: Tensor;
  /** Class index per image. */
  labels: ArrayLike<number>;
}

export interface ClassifierProgress {
  epoch: number;
  epochs: number;
  /** Optimiser steps done / planned. */
  step: number;
  steps: number;
  /** Running mean training loss of the epoch so far. */
  loss: number;
  lr: number;
  /** Set after an epoch's validation pass. */
  valAccuracy?: number;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  valAccuracy?: number;
  seconds: number;
}

export interface TrainClassifierOptions {
  /** Default: max label + 1. */
  numClasses?: number;
  /** Class names (stored with the weights). */
  classNames?: string[];
  config?: Partial<Omit<ClassifierConfig, 'inChannels' | 'numClasses'>>;
  epochs?: number;
  /** Total optimiser steps instead of epochs (epochs = ⌈steps / batches per epoch⌉): equal training for sets of different sizes. */
  steps?: number;
  batchSize?: number;
  /** Peak learning rate (default 3e-3). */
  lr?: number;
  weightDecay?: number;
  labelSmoothing?: number;
  /** Random flips and transposes per image (default true). */
  augment?: boolean;
  seed?: number;
  val?: LabelledImages;
  onProgress?: (p: ClassifierProgress) => void;
}

export interface TrainedClassifier {
  net: CnnClassifier;
  classNames?: string[];
  history: EpochRecord[];
}

export class ClassifierDataError extends Error {
  override name = 'ClassifierDataError';
}

function int64(values: ArrayLike<number>): Tensor {
  return tensor(BigInt64Array.from(Array.from(values), (v) => BigInt(v)), [values.length], { dtype: 'int64' });
}

/** Each image flipped left–right, top–bottom and transposed, each with probability ½. */
function dihedralAugment(x: Tensor, gen: Generator): Tensor {
  return tidy(() => {
    const n = x.dim(0);
    const coin = () => rand([n, 1, 1, 1], { generator: gen }).lt(0.5);
    let y = where(coin(), x.flip([3]), x);
    y = where(coin(), y.flip([2]), y);
    if (x.dim(2) === x.dim(3)) y = where(coin(), y.transpose(2, 3), y);
    return y;
  });
}

export function trainClassifier(images: Tensor, labels: ArrayLike<number>, opts: TrainClassifierOptions = {}): TrainedClassifier {
  const n = images.dim(0);
  if (images.ndim !== 4) throw new ClassifierDataError(`images must be [N, C, H, W], got [${images.shape.join(', ')}]`);
  if (labels.length !== n) throw new ClassifierDataError(`${labels.length} labels for ${n} images`);
  const inChannels = images.dim(1);
  if (inChannels !== 1 && inChannels !== 3) throw new ClassifierDataError(`images must have 1 or 3 channels, got ${inChannels}`);
  const numClasses = opts.numClasses ?? Math.max(...Array.from(labels)) + 1;
  const batchSize = Math.min(opts.batchSize ?? 64, n);
  const epochs = opts.steps !== undefined ? Math.max(1, Math.ceil(opts.steps / Math.floor(n / batchSize))) : (opts.epochs ?? 10);
  const peakLr = opts.lr ?? 3e-3;
  const seed = opts.seed ?? 0;
  const gen = new Generator(seed);
  manualSeed(seed); // dropout draws from libtorch's global generator
  const net = new CnnClassifier({ ...opts.config, inChannels, numClasses, imageSize: opts.config?.imageSize ?? images.dim(2) }, seed);
  const opt = adamw(net.parameters(), { lr: peakLr, weightDecay: opts.weightDecay ?? 0.05 });
  const y = int64(labels);
  const stepsPerEpoch = Math.floor(n / batchSize); // drop the ragged last batch: GroupNorm is fine, but it keeps steps uniform
  const steps = stepsPerEpoch * epochs;
  const warmup = Math.max(1, Math.round(0.05 * steps));
  const lrAt = (s: number) => (s < warmup ? (peakLr * (s + 1)) / warmup : 0.5 * peakLr * (1 + Math.cos((Math.PI * (s - warmup)) / Math.max(1, steps - warmup))));
  const history: EpochRecord[] = [];
  let step = 0;
  net.train();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const t0 = performance.now();
    const order = randperm(n, { generator: gen });
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      opt.setLr(lrAt(step));
      const [loss, hits] = tidy(() => {
        const idx = order.narrow(0, b * batchSize, batchSize);
        let x = images.indexSelect(0, idx);
        if (opts.augment ?? true) x = dihedralAugment(x, gen);
        const target = y.indexSelect(0, idx);
        opt.zeroGrad();
        const logits = net.forward(x);
        const l = F.crossEntropy(logits, target, 'mean', opts.labelSmoothing ?? 0.05);
        l.backward();
        opt.step();
        return [l.item(), logits.argmax(1).eq(target).sum().item()];
      });
      lossSum += loss! * batchSize;
      correct += hits!;
      seen += batchSize;
      step++;
      opts.onProgress?.({ epoch, epochs, step, steps, loss: lossSum / seen, lr: opt.getLr() });
    }
    order.dispose();
    const record: EpochRecord = { epoch, loss: lossSum / Math.max(1, seen), trainAccuracy: correct / Math.max(1, seen), seconds: (performance.now() - t0) / 1000 };
    if (opts.val) {
      record.valAccuracy = accuracyOf(net, opts.val);
      net.train();
      opts.onProgress?.({ epoch, epochs, step, steps, loss: record.loss, lr: opt.getLr(), valAccuracy: record.valAccuracy });
    }
    history.push(record);
  }
  y.dispose();
  net.eval();
  return { net, history, ...(opts.classNames ? { classNames: opts.classNames } : {}) };
}

/** Softmax probabilities, row-major [N × numClasses], in eval mode and batches. */
export function predictProba(net: CnnClassifier, images: Tensor, batchSize = 256): Float32Array {
  const n = images.dim(0);
  const k = net.config.numClasses;
  const out = new Float32Array(n * k);
  const wasTraining = net.training;
  net.eval();
  noGrad(() => {
    for (let s = 0; s < n; s += batchSize) {
      const len = Math.min(batchSize, n - s);
      out.set(tidy(() => net.forward(images.narrow(0, s, len)).softmax(1).toFloat32Array()), s * k);
    }
  });
  net.train(wasTraining);
  return out;
}

/** Top-1 accuracy on labelled images. */
export function accuracyOf(net: CnnClassifier, data: LabelledImages, batchSize = 256): number {
  const probs = predictProba(net, data.images, batchSize);
  const k = net.config.numClasses;
  let correct = 0;
  for (let i = 0; i < data.labels.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    if (best === data.labels[i]) correct++;
  }
  return data.labels.length ? correct / data.labels.length : NaN;
}

const CHECKPOINT_KIND = 'medloop.cnn-classifier';

/** Writes weights and config as an engine checkpoint folder. */
export function saveClassifier(dir: string, trained: TrainedClassifier): void {
  saveCheckpoint(dir, {
    tensors: { weights: trained.net.stateDict() },
    state: { kind: CHECKPOINT_KIND, config: trained.net.config, classNames: trained.classNames ?? null, history: trained.history },
  });
}

export class ClassifierCheckpointError extends Error {
  override name = 'ClassifierCheckpointError';
  constructor(
    readonly dir: string,
    reason: string,
  ) {
    super(`${dir}: ${reason}`);
  }
}

/** Reads a classifier written by saveClassifier (in eval mode). */
export function loadClassifier(dir: string): TrainedClassifier {
  const ckpt = loadCheckpoint(dir);
  if (ckpt.state.kind !== CHECKPOINT_KIND) throw new ClassifierCheckpointError(dir, `not a classifier checkpoint (kind '${String(ckpt.state.kind)}')`);
  const weights = ckpt.tensors.weights;
  if (!weights) throw new ClassifierCheckpointError(dir, 'no weights.safetensors');
  const net = new CnnClassifier(ckpt.state.config as ClassifierConfig);
  net.loadStateDict(weights);
  for (const t of weights.values()) t.dispose();
  net.eval();
  const classNames = ckpt.state.classNames as string[] | null;
  return { net, history: (ckpt.state.history as EpochRecord[]) ?? [], ...(classNames ? { classNames } : {}) };
}
