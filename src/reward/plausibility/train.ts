// Training the plausibility reward model (Sun et al. 2023), top to bottom:
//   rated synthetic images  → BCE(s(x, c), P(plausible)) + w_c · BCE(criterion logits, failure shares)
//   real images             → BCE(s(x, c_true), 1) and BCE(s(x, c_wrong), 0), a `realMix` share of each batch
//   pairwise answers        → Bradley–Terry: −[p log σ(s_a − s_b) + (1 − p) log σ(s_b − s_a)]
// with AdamW and cosine decay. A seeded share of rated images, pairs and real images is
// held out and scored at the end: AUROC, accuracy and calibration (ECE).
import type { Raster } from '../../data/raster.js';
import { rastersToNCHW } from '../../data/nchw.js';
import { fitTo } from '../../data/resize.js';
import { deriveSeed, seededRandom } from '../../data/random.js';
import { F, Generator, type Tensor, adamw, cat, noGrad, seedInit, tensor, tidy } from '../../engine/index.js';
import { PlausibilityRewardNet, type RewardNetConfig } from '../../models/reward-net.js';
import { type Augmentation, augmentBatch } from '../augment.js';
import { type BinaryScores, auroc, binaryScores } from '../metrics.js';
import { batchStream, batched, int64, rows, splitIndices } from '../tensors.js';
import type { PlausibilityData } from './dataset.js';

export interface TrainPlausibilityOptions {
  /** Condition vocabulary (default: every condition in the data, sorted). */
  conditions?: string[];
  /** Checklist criterion ids (default: every criterion ticked in the ratings, sorted). */
  criteria?: string[];
  /** Input side (default: the first image's width, at most 64). */
  imageSize?: number;
  channels?: 1 | 3;
  net?: Partial<Pick<RewardNetConfig, 'widths' | 'convsPerStage' | 'groups' | 'embedDim' | 'hidden' | 'pooling'>>;
  /** Passes over the largest data source (default 30: at 15, some seeds ended under-trained, e.g. oracle AUROC 0.64 from 200 ratings where 30 gave 0.92). */
  epochs?: number;
  /** Hard bounds on optimiser steps (defaults 150 and 4000). */
  minSteps?: number;
  maxSteps?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  /** Share of each batch that is real true-/wrong-condition images when real images exist (default 0.5). */
  realMix?: number;
  /** Weight of the per-criterion loss (default 0.5). */
  criteriaWeight?: number;
  /** Weight of the Bradley–Terry loss (default 1). */
  pairWeight?: number;
  /** Held-out share of rated images, pairs and real images (default 0.2; 0 = none). */
  valFraction?: number;
  augment?: Augmentation;
  seed?: number;
  /**
   * Train on these rated/pair/real indices only (bootstrap resamples for ensembles); the
   * seeded held-out split is skipped and `validate` (e.g. the out-of-bag items) takes its place.
   */
  resample?: { rated: number[]; pairs: number[]; real: number[]; validate?: { rated: number[]; pairs: number[]; real: number[] } };
  /**
   * Early stopping (off by default): the held-out share of the training objective (`loss`)
   * or the held-out AUROC is scored every `every` steps (default one epoch), training stops
   * after `patience` scores without improvement (default 4), and the best-scoring weights
   * are restored. Off, every planned step runs and the last weights (lr decayed to 0) are
   * kept: on the phantom testbed with 10 % rater error, a held-out set cut from a few
   * hundred ratings is too small and noisy to pick a checkpoint by, and picking by it lost
   * up to 0.14 oracle AUROC against the last weights (bench/reward-active.ts notes).
   */
  earlyStopping?: false | { every?: number; patience?: number; metric?: 'loss' | 'auroc' };
  /** Start from these weights (same architecture, conditions and criteria): the previous round's model. */
  init?: PlausibilityRewardNet;
  onProgress?: (p: { step: number; steps: number; loss: number }) => void;
  /** Called after each held-out scoring (early stopping), with the net in eval mode. */
  onValidate?: (p: { step: number; loss: number; auroc: number; best: number; net: PlausibilityRewardNet }) => void;
}

export interface PlausibilityMetrics {
  /** Held-out rated images against their (majority) labels. */
  rated?: BinaryScores;
  /** Held-out real images, each with its true and one wrong condition. */
  wrongClass?: BinaryScores;
  /** Held-out pairs: share where the preferred image scores higher (ties skipped). */
  pairs?: { accuracy: number; count: number };
  finalLoss: number;
  /** Optimiser steps actually run (fewer than planned when early stopping fired). */
  steps: number;
  /** With early stopping: the step whose weights were kept, and its held-out score (loss, or 1 − AUROC). The held-out scores above are then on the set that chose it. */
  bestStep?: number;
  bestValScore?: number;
  seconds: number;
}

export interface TrainingDataSummary {
  ratedImages: number;
  pairs: number;
  realImages: number;
  heldOut: { rated: number; pairs: number; real: number };
  conditions: string[];
  criteria: string[];
  realMix: number;
  [key: string]: unknown;
}

export interface TrainedPlausibilityModel {
  net: PlausibilityRewardNet;
  metrics: PlausibilityMetrics;
  data: TrainingDataSummary;
  options: Record<string, unknown>;
}

export class RewardDataError extends Error {
  override name = 'RewardDataError';
}

/** Rasters → [N, C, S, S] in [0, 1] (centre-crop + resize when sizes differ). */
export function rastersToUnitTensor(images: ReadonlyArray<Raster>, size: number, channels: 1 | 3): Tensor {
  const fitted = images.map((r) => (r.width === size && r.height === size ? r : fitTo(r, size)));
  const nchw = rastersToNCHW(fitted, { channels, range: [0, 1] });
  return tensor(nchw.data, nchw.shape);
}

/** Mean binary cross-entropy of logits `z` against targets in [0, 1], computed stably. */
function meanBce(z: ArrayLike<number>, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += Math.max(z[i]!, 0) - z[i]! * y[i]! + Math.log1p(Math.exp(-Math.abs(z[i]!)));
  return z.length ? sum / z.length : 0;
}

/** A detached copy of every parameter and buffer (the best weights so far). */
function snapshot(net: PlausibilityRewardNet): Map<string, Tensor> {
  return noGrad(() => new Map([...net.stateDict()].map(([k, t]) => [k, t.detach().clone()])));
}

/** `head` of every batch of images with their condition indices, in eval mode and batches of `batchSize`, rows concatenated. */
function evalBatched(net: PlausibilityRewardNet, x: Tensor, conditions: ReadonlyArray<string>, batchSize: number, head: (xb: Tensor, idx: Tensor) => Tensor): Float32Array {
  const was = net.training;
  net.eval();
  try {
    return batched(x.dim(0), batchSize, (s, len) => tidy(() => head(x.narrow(0, s, len), net.conditionIndices(conditions.slice(s, s + len))).toFloat32Array()));
  } finally {
    net.train(was);
  }
}

/** P(plausible | x, c) for [N, C, S, S] images in [0, 1], in eval mode and batches. */
export function predictPlausibility(net: PlausibilityRewardNet, x: Tensor, conditions: ReadonlyArray<string>, batchSize = 128): Float32Array {
  return evalBatched(net, x, conditions, batchSize, (xb, idx) => net.forward(xb, idx).select(1, 0).sigmoid());
}

/**
 * P(plausible | x, c) and the head's hidden features z [N × hidden, row-major]
 * (`PlausibilityRewardNet.features`) from one forward pass, in eval mode and batches.
 */
export function predictWithFeatures(net: PlausibilityRewardNet, x: Tensor, conditions: ReadonlyArray<string>, batchSize = 128): { p: Float32Array; z: Float32Array } {
  const h = net.config.hidden;
  // Each row is [z, P(plausible)], so one batched pass carries both.
  const rows = evalBatched(net, x, conditions, batchSize, (xb, idx) => {
    const z = net.features(xb, idx);
    return cat([z, net.fc2.forward(z).narrow(1, 0, 1).sigmoid()], 1);
  });
  const n = rows.length / (h + 1);
  const p = new Float32Array(n);
  const z = new Float32Array(n * h);
  for (let i = 0; i < n; i++) {
    z.set(rows.subarray(i * (h + 1), i * (h + 1) + h), i * h);
    p[i] = rows[i * (h + 1) + h]!;
  }
  return { p, z };
}

/** Raw scores s(x, c) (logits), used for pairwise comparison. */
export function scorePlausibility(net: PlausibilityRewardNet, x: Tensor, conditions: ReadonlyArray<string>, batchSize = 128): Float32Array {
  return evalBatched(net, x, conditions, batchSize, (xb, idx) => net.forward(xb, idx).select(1, 0));
}

export function trainPlausibilityModel(data: PlausibilityData, opts: TrainPlausibilityOptions = {}): TrainedPlausibilityModel {
  const t0 = performance.now();
  const { rated, pairs, real } = data;
  if (rated.length + pairs.length + real.length === 0) throw new RewardDataError('no training data: no rated images, pairs or real images');
  const first = rated[0]?.image ?? pairs[0]?.a ?? real[0]!.image;
  const size = opts.imageSize ?? Math.min(64, first.width);
  const channels = opts.channels ?? first.channels;
  const seed = opts.seed ?? 0;
  const conditions = opts.conditions ?? [...new Set([...rated.map((r) => r.condition), ...pairs.map((p) => p.condition), ...real.map((r) => r.condition)])].sort();
  const criteria = opts.criteria ?? [...new Set(rated.flatMap((r) => Object.keys(r.criteria)))].sort();
  const condIndex = new Map(conditions.map((c, i) => [c, i]));
  for (const c of [...rated.map((r) => r.condition), ...pairs.map((p) => p.condition), ...real.map((r) => r.condition)]) {
    if (!condIndex.has(c)) throw new RewardDataError(`condition '${c}' in the data is not in the condition list (${conditions.join(', ')})`);
  }
  const valFraction = opts.resample ? 0 : (opts.valFraction ?? 0.2);
  const rs = opts.resample;
  const [ratedFit, ratedSplit] = rs ? [rs.rated, rs.validate?.rated ?? []] : splitIndices(rated.length, valFraction, deriveSeed(seed, 'rated'));
  // Held-out scores judge the model on ratings only (synthetic negatives are too easy to
  // count); a seeded split trains on the synthetic ones it drew for holding out.
  const ratedVal = ratedSplit.filter((i) => !rated[i]!.synthetic);
  const ratedTrain = rs ? ratedFit : [...ratedFit, ...ratedSplit.filter((i) => rated[i]!.synthetic)];
  const [pairTrain, pairVal] = rs ? [rs.pairs, rs.validate?.pairs ?? []] : splitIndices(pairs.length, valFraction, deriveSeed(seed, 'pairs'));
  const [realTrain, realVal] = rs ? [rs.real, rs.validate?.real ?? []] : splitIndices(real.length, valFraction, deriveSeed(seed, 'real'));
  const realMix = real.length === 0 ? 0 : rated.length + pairs.length === 0 ? 1 : (opts.realMix ?? 0.5);
  const batchSize = opts.batchSize ?? 32;
  const nReal = realTrain.length ? Math.max(1, Math.round(batchSize * realMix)) : 0;
  const nRated = ratedTrain.length ? Math.max(1, batchSize - nReal) : 0;
  const nPairs = pairTrain.length ? Math.max(1, Math.floor(batchSize / 2)) : 0;
  const epochs = opts.epochs ?? 30;
  const perEpoch = Math.max(nRated ? ratedTrain.length / nRated : 0, nReal ? realTrain.length / nReal : 0, nPairs ? pairTrain.length / nPairs : 0);
  const steps = Math.min(opts.maxSteps ?? 4000, Math.max(opts.minSteps ?? 150, Math.ceil(epochs * perEpoch)));

  // Initial weights from the seed, so a run is reproducible and ensemble members differ by seed alone.
  seedInit(deriveSeed(seed, 'init'));
  // A warm start keeps the previous model's pooling (it has no weights, so loading would not carry it).
  const net = new PlausibilityRewardNet({ ...(opts.init ? { pooling: opts.init.config.pooling } : {}), ...opts.net, inChannels: channels, imageSize: size, conditions, criteria });
  if (opts.init) net.loadStateDict(opts.init.stateDict());
  const xRated = rated.length ? rastersToUnitTensor(rated.map((r) => r.image), size, channels) : null;
  const xA = pairs.length ? rastersToUnitTensor(pairs.map((p) => p.a), size, channels) : null;
  const xB = pairs.length ? rastersToUnitTensor(pairs.map((p) => p.b), size, channels) : null;
  const xReal = real.length ? rastersToUnitTensor(real.map((r) => r.image), size, channels) : null;
  const ratedCond = rated.map((r) => condIndex.get(r.condition)!);
  const ratedLabel = Float32Array.from(rated, (r) => r.label);
  const ratedCrit = new Float32Array(rated.length * criteria.length);
  rated.forEach((r, i) => criteria.forEach((c, k) => (ratedCrit[i * criteria.length + k] = r.criteria[c] ?? 0)));
  const realCond = real.map((r) => condIndex.get(r.condition)!);

  const gen = new Generator(seed);
  const random = seededRandom(deriveSeed(seed, 'batches'));
  const nextRated = batchStream(ratedTrain, nRated, random);
  const nextReal = batchStream(realTrain, nReal, random);
  const nextPair = batchStream(pairTrain, nPairs, random);
  const augment = opts.augment ?? 'none';
  const peakLr = opts.lr ?? 2e-3;
  const opt = adamw(net.parameters(), { lr: peakLr, weightDecay: opts.weightDecay ?? 1e-4 });
  const warmup = Math.max(1, Math.round(0.05 * steps));
  const lrAt = (s: number) => (s < warmup ? (peakLr * (s + 1)) / warmup : 0.5 * peakLr * (1 + Math.cos((Math.PI * (s - warmup)) / Math.max(1, steps - warmup))));
  const wCrit = opts.criteriaWeight ?? 0.5;
  const wPair = opts.pairWeight ?? 1;
  const K = conditions.length;
  let finalLoss = NaN;
  let ema = NaN;

  /** Logit scores of both images of the pairs `idx` (held-out loss and pair accuracy share it). */
  const pairScores = (a: Tensor, b: Tensor, idx: number[]): [Float32Array, Float32Array] => {
    const conds = idx.map((i) => pairs[i]!.condition);
    const [xa, xb] = [rows(a, idx), rows(b, idx)];
    const scores: [Float32Array, Float32Array] = [scorePlausibility(net, xa, conds), scorePlausibility(net, xb, conds)];
    xa.dispose();
    xb.dispose();
    return scores;
  };

  // Early stopping (opt-in): the held-out part of the same objective, scored now and then;
  // the best weights are kept.
  const wrongVal = (() => {
    const r = seededRandom(deriveSeed(seed, 'wrong-val'));
    return realVal.map((i) => (realCond[i]! + 1 + Math.floor(r() * (K - 1))) % K);
  })();
  const hasVal = ratedVal.length > 0 || pairVal.length > 0 || (realVal.length > 0 && K > 1);
  const stopping = opts.earlyStopping === undefined || opts.earlyStopping === false || !hasVal ? null : { every: opts.earlyStopping?.every ?? Math.max(1, Math.ceil(perEpoch)), patience: opts.earlyStopping?.patience ?? 4, metric: opts.earlyStopping?.metric ?? 'loss' };
  const heldOut = (): { loss: number; auroc: number } => {
    let total = 0;
    const scores: number[] = [];
    const targets: number[] = [];
    if (ratedVal.length && xRated) {
      const x = rows(xRated, ratedVal);
      const z = scorePlausibility(net, x, ratedVal.map((i) => rated[i]!.condition));
      x.dispose();
      const y = ratedVal.map((i) => ratedLabel[i]!);
      total += (realMix < 1 ? 1 - realMix : 1) * meanBce(z, y);
      scores.push(...z);
      targets.push(...y);
    }
    if (realVal.length && xReal && K > 1) {
      const x = rows(xReal, realVal);
      const xx = cat([x, x]);
      const z = scorePlausibility(net, xx, [...realVal.map((i) => real[i]!.condition), ...wrongVal.map((k) => conditions[k]!)]);
      x.dispose();
      xx.dispose();
      const y = Array.from(z, (_, j) => (j < realVal.length ? 1 : 0));
      total += realMix * meanBce(z, y);
      scores.push(...z);
      targets.push(...y);
    }
    if (pairVal.length && xA && xB) {
      const [sa, sb] = pairScores(xA, xB, pairVal);
      total += wPair * meanBce(Float32Array.from(sa, (v, j) => v - sb[j]!), pairVal.map((i) => pairs[i]!.preferA));
    }
    const positive = targets.map((t) => t > 0.5);
    return { loss: total, auroc: positive.some(Boolean) && !positive.every(Boolean) ? auroc(scores, positive) : NaN };
  };
  let best: { loss: number; step: number; state: Map<string, Tensor> } | null = null;
  let sinceBest = 0;
  let ran = 0;
  net.train();
  for (let step = 0; step < steps; step++) {
    opt.setLr(lrAt(step));
    const loss = tidy(() => {
      opt.zeroGrad();
      const parts: Tensor[] = [];
      if (nRated && xRated) {
        const idx = nextRated();
        const x = augmentBatch(rows(xRated, idx), augment, gen);
        const logits = net.forward(x, int64(idx.map((i) => ratedCond[i]!)));
        const y = tensor(Float32Array.from(idx, (i) => ratedLabel[i]!), [idx.length]);
        let l = F.bceWithLogits(logits.select(1, 0), y);
        if (criteria.length && wCrit > 0) {
          const yc = tensor(
            Float32Array.from({ length: idx.length * criteria.length }, (_, j) => ratedCrit[idx[Math.floor(j / criteria.length)]! * criteria.length + (j % criteria.length)]!),
            [idx.length, criteria.length],
          );
          l = l.add(F.bceWithLogits(logits.narrow(1, 1, criteria.length), yc).mul(wCrit));
        }
        parts.push(l.mul(1 - realMix));
      }
      if (nReal && xReal && K > 1) {
        // Each real image twice: with its true condition (plausible) and a random other one (implausible).
        const idx = nextReal();
        const x = augmentBatch(rows(xReal, idx), augment, gen);
        const wrong = idx.map((i) => (realCond[i]! + 1 + Math.floor(random() * (K - 1))) % K);
        const logits = net.forward(cat([x, x]), int64([...idx.map((i) => realCond[i]!), ...wrong]));
        const y = tensor(Float32Array.from({ length: 2 * idx.length }, (_, j) => (j < idx.length ? 1 : 0)), [2 * idx.length]);
        parts.push(F.bceWithLogits(logits.select(1, 0), y).mul(realMix));
      }
      if (nPairs && xA && xB) {
        const idx = nextPair();
        const c = int64(idx.map((i) => condIndex.get(pairs[i]!.condition)!));
        const sa = net.forward(augmentBatch(rows(xA, idx), augment, gen), c).select(1, 0);
        const sb = net.forward(augmentBatch(rows(xB, idx), augment, gen), c).select(1, 0);
        const p = tensor(Float32Array.from(idx, (i) => pairs[i]!.preferA), [idx.length]);
        // Bradley–Terry with soft outcomes: BCE of σ(s_a − s_b) against P(a preferred).
        parts.push(F.bceWithLogits(sa.sub(sb), p).mul(wPair));
      }
      const total = parts.reduce((a, b) => a.add(b));
      total.backward();
      opt.step();
      return total.item();
    });
    ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
    finalLoss = ema;
    opts.onProgress?.({ step: step + 1, steps, loss: ema });
    ran = step + 1;
    if (stopping && (ran % stopping.every === 0 || ran === steps)) {
      const h = heldOut();
      // Lower is better: the loss, or 1 − AUROC when ranking is what matters.
      const score = stopping.metric === 'auroc' && Number.isFinite(h.auroc) ? 1 - h.auroc : h.loss;
      if (!best || score < best.loss) {
        for (const t of best?.state.values() ?? []) t.dispose();
        best = { loss: score, step: ran, state: snapshot(net) };
        sinceBest = 0;
      } else sinceBest++;
      opts.onValidate?.({ step: ran, loss: h.loss, auroc: h.auroc, best: best.loss, net });
      net.train();
      if (sinceBest >= stopping.patience) break;
    }
  }
  if (best) {
    net.loadStateDict(best.state);
    for (const t of best.state.values()) t.dispose();
  }
  net.eval();

  const metrics: PlausibilityMetrics = { finalLoss, steps: ran, seconds: 0, ...(best ? { bestStep: best.step, bestValScore: best.loss } : {}) };
  if (ratedVal.length && xRated) {
    const x = rows(xRated, ratedVal);
    const probs = predictPlausibility(net, x, ratedVal.map((i) => rated[i]!.condition));
    x.dispose();
    metrics.rated = binaryScores(probs, ratedVal.map((i) => rated[i]!.label));
  }
  if (realVal.length && xReal && K > 1) {
    const x = rows(xReal, realVal);
    const xx = cat([x, x]);
    const conds = [...realVal.map((i) => real[i]!.condition), ...wrongVal.map((k) => conditions[k]!)];
    const probs = predictPlausibility(net, xx, conds);
    x.dispose();
    xx.dispose();
    metrics.wrongClass = binaryScores(probs, conds.map((_, j) => (j < realVal.length ? 1 : 0)));
  }
  if (pairVal.length && xA && xB) {
    const decided = pairVal.filter((i) => pairs[i]!.preferA !== 0.5);
    if (decided.length) {
      const [sa, sb] = pairScores(xA, xB, decided);
      let hits = 0;
      decided.forEach((i, j) => (hits += (sa[j]! > sb[j]!) === pairs[i]!.preferA > 0.5 ? 1 : 0));
      metrics.pairs = { accuracy: hits / decided.length, count: decided.length };
    }
  }
  for (const t of [xRated, xA, xB, xReal]) t?.dispose();
  metrics.seconds = (performance.now() - t0) / 1000;
  return {
    net,
    metrics,
    data: {
      ratedImages: rated.length,
      pairs: pairs.length,
      realImages: real.length,
      heldOut: { rated: ratedVal.length, pairs: pairVal.length, real: realVal.length },
      conditions,
      criteria,
      realMix,
    },
    options: { imageSize: size, channels, epochs, steps, earlyStopping: stopping ?? false, warmStart: Boolean(opts.init), batchSize, lr: peakLr, realMix, criteriaWeight: wCrit, pairWeight: wPair, valFraction, augment, seed },
  };
}

/**
 * k members trained on bootstrap resamples with different seeds: their disagreement is
 * what active choice asks experts about. Each member sees a resample of all the data; its
 * out-of-bag items (about a third) are its held-out set (metrics, and early stopping when
 * asked), so no rating is held out from the ensemble as a whole. `init`: one previous
 * model per member (warm start), or one for all.
 */
export function trainPlausibilityEnsemble(
  data: PlausibilityData,
  members: number,
  opts: Omit<TrainPlausibilityOptions, 'init'> & { init?: PlausibilityRewardNet | ReadonlyArray<PlausibilityRewardNet> } = {},
): TrainedPlausibilityModel[] {
  const out: TrainedPlausibilityModel[] = [];
  const { init, ...rest } = opts;
  for (let m = 0; m < members; m++) {
    const seed = deriveSeed(opts.seed ?? 0, 'member', m);
    const r = seededRandom(seed);
    const boot = (n: number) => bootstrap(n, r);
    const [rated, pairs, real] = [boot(data.rated.length), boot(data.pairs.length), boot(data.real.length)];
    const memberInit = init === undefined ? undefined : init instanceof PlausibilityRewardNet ? init : init[m % init.length];
    out.push(
      trainPlausibilityModel(data, {
        ...rest,
        seed,
        ...(memberInit ? { init: memberInit } : {}),
        resample: { rated: rated.inBag, pairs: pairs.inBag, real: real.inBag, validate: { rated: rated.outOfBag, pairs: pairs.outOfBag, real: real.outOfBag } },
      }),
    );
  }
  return out;
}

/**
 * The reward model(s) a workspace asks for: one model with its seeded held-out split
 * (Sun et al.), or, for `members` > 1, an ensemble on bootstrap resamples.
 */
export function trainPlausibilityMembers(data: PlausibilityData, members: number, opts: Omit<TrainPlausibilityOptions, 'init'> = {}): TrainedPlausibilityModel[] {
  return members > 1 ? trainPlausibilityEnsemble(data, members, opts) : [trainPlausibilityModel(data, opts)];
}

/** n draws with replacement from 0..n-1, and the indices never drawn. */
export function bootstrap(n: number, random: () => number): { inBag: number[]; outOfBag: number[] } {
  const inBag = Array.from({ length: n }, () => Math.floor(random() * n));
  const seen = new Set(inBag);
  return { inBag, outOfBag: Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i)) };
}
