// Pretraining a conditional generator on real images, top to bottom:
//   per step: a batch in a seeded shuffled order → conditions dropped to NULL with
//   p = 0.1 → ε-prediction loss at uniform t → AdamW with cosine/warm-up lr and
//   gradient clipping → EMA update.
//   every `checkpointEvery` steps: model, EMA, optimizer state, step, data-order
//   and noise generator states, written atomically; `resume` continues from the
//   latest one and reaches the same weights, bit for bit, as an uninterrupted run.
//   every `sampleEvery` steps: a grid sampled with the EMA weights (fixed seed).
// Images come in as a tensor [N, C, H, W] in [−1, 1]; reading files is the caller's job.
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, type Tensor, adamw, checkpointDir, clipGradNorm, keep, listCheckpoints, loadCheckpoint, randperm, saveCheckpoint, tidy } from '../engine/index.js';
import { dropConditions } from './condition-dropout.js';
import { EMA, withEmaWeights } from './ema.js';
import type { DiffusionGenerator } from './generator.js';
import type { ImageRaster } from './images.js';
import { diffusionLoss } from './loss.js';
import { cosineWithWarmup } from './lr-schedule.js';
import { sampleImages } from './pipeline.js';

export interface PretrainConfig {
  steps: number;
  batchSize: number;
  lr: number;
  warmupSteps: number;
  /** Floor of the cosine decay (default 0.1·lr). */
  minLr?: number;
  weightDecay: number;
  emaDecay: number;
  /** Max global gradient norm. */
  gradClip: number;
  /** Probability of replacing a condition by NULL (classifier-free guidance). */
  condDropout: number;
  checkpointEvery: number;
  /** 0 = no sample grids during training. */
  sampleEvery: number;
  sampleSteps: number;
  sampleCfg: number;
  /** Checkpoints kept (oldest deleted first). */
  keepCheckpoints: number;
  seed: number;
}

export const DEFAULT_PRETRAIN_CONFIG: PretrainConfig = {
  steps: 5000,
  batchSize: 64,
  lr: 5e-4,
  warmupSteps: 200,
  weightDecay: 0,
  emaDecay: 0.999,
  gradClip: 1,
  condDropout: 0.1,
  checkpointEvery: 250,
  sampleEvery: 1000,
  sampleSteps: 25,
  sampleCfg: 2,
  keepCheckpoints: 3,
  seed: 0,
};

export interface PretrainData {
  /** [N, C, H, W] in [−1, 1]. */
  images: Tensor;
  /** One condition per image (class name or report). */
  conditions: string[];
}

export interface StepInfo {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  epoch: number;
}

export interface PretrainOptions {
  generator: DiffusionGenerator;
  data: PretrainData;
  config: PretrainConfig;
  /** Run folder: checkpoints/, samples/ and metrics.jsonl go here. */
  runDir: string;
  /** Continue from the latest checkpoint in runDir (a fresh start when there is none). */
  resume?: boolean;
  /** Conditions of the sample grid (one per image; rows of a class grid). */
  sampleConditions?: string[];
  /** Columns of the sample grid. */
  sampleColumns?: number;
  onStep?: (info: StepInfo) => void;
  /** Receives each sample grid's images; the caller writes the PNG. */
  onSamples?: (step: number, images: ImageRaster[], columns: number) => void;
  log?: (line: string) => void;
}

export interface PretrainResult {
  step: number;
  resumedFrom: number | null;
  lastLoss: number;
  checkpointDir: string;
}

interface TrainingState {
  step: number;
  epoch: number;
  /** Position in this epoch's permutation. */
  cursor: number;
  emaUpdates: number;
  /** The data-order generator's state at the start of the epoch: re-draws the same permutation. */
  dataEpochState: string;
  noiseState: string;
  lastLoss: number;
}

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export function pretrain(opts: PretrainOptions): PretrainResult {
  const { generator: gen, data, config } = opts;
  const log = opts.log ?? (() => {});
  const n = data.images.dim(0);
  if (data.conditions.length !== n) throw new Error(`pretrain: ${n} images but ${data.conditions.length} conditions`);
  if (n < config.batchSize) throw new Error(`pretrain: ${n} images are fewer than one batch of ${config.batchSize}`);
  const ckptRoot = join(opts.runDir, 'checkpoints');
  const params = gen.parameters();
  const optimizer = adamw(params, { lr: config.lr, betas: [0.9, 0.999], weightDecay: config.weightDecay });
  const lrAt = cosineWithWarmup({ lr: config.lr, warmupSteps: config.warmupSteps, totalSteps: config.steps, ...(config.minLr !== undefined ? { minLr: config.minLr } : {}) });
  const ema = new EMA(gen, config.emaDecay);
  const noise = new Generator(config.seed);
  const dataOrder = new Generator(config.seed + 1);

  let step = 0;
  let epoch = 0;
  let cursor = 0;
  let lastLoss = NaN;
  let resumedFrom: number | null = null;
  let dataEpochState = dataOrder.getState();

  const latest = opts.resume ? listCheckpoints(ckptRoot)[0] : undefined;
  if (latest) {
    const ckpt = loadCheckpoint(latest.dir);
    const st = ckpt.state.training as TrainingState;
    gen.loadStateDict(ckpt.tensors.weights!);
    ema.load(ckpt.tensors.ema!, st.emaUpdates);
    if (!ckpt.optimizer) throw new Error(`${latest.dir}: no optimizer.bin: cannot resume exactly`);
    optimizer.loadState(ckpt.optimizer);
    for (const m of Object.values(ckpt.tensors)) for (const t of m.values()) t.dispose();
    ({ step, epoch, cursor, lastLoss } = st);
    noise.setState(unb64(st.noiseState));
    dataEpochState = unb64(st.dataEpochState);
    dataOrder.setState(dataEpochState);
    resumedFrom = step;
    log(`resumed from ${latest.dir} (step ${step})`);
  }
  let perm = keep(randperm(n, { generator: dataOrder }));

  const saveAt = (s: number) => {
    const state: TrainingState = { step: s, epoch, cursor, emaUpdates: ema.updates, dataEpochState: b64(dataEpochState), noiseState: b64(noise.getState()), lastLoss };
    const dir = checkpointDir(ckptRoot, s);
    saveCheckpoint(dir, {
      tensors: { weights: gen.stateDict(), ema: ema.shadow },
      optimizer: optimizer.saveState(),
      state: { kind: 'generator', config: gen.config, step: s, training: state, pretrain: config },
    });
    for (const old of listCheckpoints(ckptRoot).slice(Math.max(1, config.keepCheckpoints))) rmSync(old.dir, { recursive: true, force: true });
    return dir;
  };

  const sampleGrid = (s: number) => {
    if (!opts.onSamples || !opts.sampleConditions?.length) return;
    const images = withEmaWeights(gen, ema, () =>
      sampleImages(gen, { conditions: opts.sampleConditions!, steps: config.sampleSteps, eta: 1, cfg: config.sampleCfg, seed: 1234 }).images,
    );
    gen.train();
    opts.onSamples(s, images, opts.sampleColumns ?? 8);
  };

  gen.train();
  let lastCheckpoint = latest?.dir ?? '';
  while (step < config.steps) {
    if (cursor + config.batchSize > n) {
      // a new epoch: remember the generator's state so a resume re-draws this permutation
      epoch++;
      cursor = 0;
      dataEpochState = dataOrder.getState();
      perm.dispose();
      perm = keep(randperm(n, { generator: dataOrder }));
    }
    const lr = lrAt(step);
    optimizer.setLr(lr);
    const { loss, gradNorm } = tidy(() => {
      const idx = perm.narrow(0, cursor, config.batchSize);
      const rows = idx.toNumbers();
      const xStart = data.images.indexSelect(0, idx);
      const conds = dropConditions(rows.map((i) => data.conditions[i]!), config.condDropout, noise);
      optimizer.zeroGrad();
      const l = diffusionLoss(gen, gen.schedule, xStart, gen.encode(conds), { generator: noise }).loss;
      l.backward();
      const gradNorm = clipGradNorm(params, config.gradClip);
      optimizer.step();
      return { loss: l.item(), gradNorm };
    });
    optimizer.zeroGrad();
    cursor += config.batchSize;
    ema.update(gen);
    step++;
    lastLoss = loss;
    appendFileSync(join(opts.runDir, 'metrics.jsonl'), JSON.stringify({ step, loss, lr, gradNorm, epoch, time: new Date().toISOString() }) + '\n');
    opts.onStep?.({ step, loss, lr, gradNorm, epoch });
    if (step % config.checkpointEvery === 0 || step === config.steps) lastCheckpoint = saveAt(step);
    if (config.sampleEvery > 0 && (step % config.sampleEvery === 0 || step === config.steps)) sampleGrid(step);
  }
  perm.dispose();
  ema.dispose();
  return { step, resumedFrom, lastLoss, checkpointDir: lastCheckpoint };
}

