// Choosing what experts rate next: the candidates whose ratings would teach the reward
// model most. With an ensemble (bootstrap members), the acquisition is the members'
// disagreement; with one model, its predictive entropy; `badge` trades uncertainty
// against diversity. Choices are spread across conditions (each gets its share of the
// budget, best candidates first within it), so a study never spends all its ratings on
// one hard class.
import type { Raster } from '../data/raster.js';
import { deriveSeed, seededRandom, shuffled } from '../data/random.js';
import type { PlausibilityRewardNet } from '../models/reward-net.js';
import { kMeansPlusPlus } from './kmeans-pp.js';
import { predictPlausibility, predictWithFeatures, rastersToUnitTensor } from './plausibility/train.js';

export interface RatingCandidate {
  id: string;
  image: Raster;
  condition: string;
}

/**
 * - `disagreement`: standard deviation of the members' P(plausible) (query by committee);
 * - `bald`: mutual information H(p̄) − mean H(p_m) (Houlsby et al. 2011);
 * - `entropy`: binary entropy of the mean prediction;
 * - `badge`: k-means++ seeding over gradient embeddings (Ash et al. 2020): each candidate is
 *   the gradient its rating would give the last layer if the model's own guess were right,
 *   (p − ŷ)·[z, 1]; its length is the uncertainty, its direction what the model sees, and
 *   D² sampling picks uncertain candidates unlike those already picked;
 * - `random`: uniform (the baseline).
 */
export const ACQUISITIONS = ['disagreement', 'bald', 'entropy', 'badge', 'random'] as const;
export type Acquisition = (typeof ACQUISITIONS)[number];

export interface CandidateScore {
  score: number;
  /** Mean P(plausible) over the models. */
  mean: number;
  /** Standard deviation over the models (0 with one model). */
  std: number;
}

export interface ChooseOptions {
  /** Default: `disagreement` with several models, `entropy` with one. */
  acquisition?: Acquisition;
  /** Spread the choice over conditions in proportion to their candidates (default true). */
  balanceConditions?: boolean;
  /**
   * Draw the batch with probability ∝ score^power (without replacement) instead of taking
   * the top scores (Kirsch et al. 2023, stochastic batch acquisition): the top of one
   * round's ranking is often many near-copies of the same hard case. Default: top scores.
   * Not with `badge`, whose k-means++ draw already spreads the batch.
   */
  power?: number;
  seed?: number;
}

export interface ChosenCandidate extends RatingCandidate, CandidateScore {
  rank: number;
}

function entropy(p: number): number {
  const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
  return -(q * Math.log(q) + (1 - q) * Math.log(1 - q));
}

/** Each model's P(plausible) for every candidate, and with `features` its hidden features z too. */
function modelOutputs(candidates: ReadonlyArray<RatingCandidate>, models: ReadonlyArray<PlausibilityRewardNet>, features: boolean): Array<{ p: Float32Array; z: Float32Array | null; dim: number }> {
  if (models.length === 0) throw new RangeError('active choice needs at least one reward model');
  return models.map((net) => {
    const x = rastersToUnitTensor(
      candidates.map((c) => c.image),
      net.config.imageSize,
      net.config.inChannels,
    );
    const conditions = candidates.map((c) => c.condition);
    try {
      return features ? { ...predictWithFeatures(net, x, conditions), dim: net.config.hidden } : { p: predictPlausibility(net, x, conditions), z: null, dim: net.config.hidden };
    } finally {
      x.dispose();
    }
  });
}

/**
 * BADGE's gradient embeddings: per candidate, the gradient of the rating's cross-entropy with
 * respect to each model's plausibility row of the last layer (weights, then bias) under the
 * model's own hard guess ŷ = [p ≥ ½], (p − ŷ)·[z, 1]; with an ensemble, the members' gradients
 * side by side. Rows of `dim` numbers in one array.
 */
export function gradientEmbeddings(candidates: ReadonlyArray<RatingCandidate>, models: ReadonlyArray<PlausibilityRewardNet>): { rows: Float32Array; dim: number; probs: Float32Array[] } {
  return embed(modelOutputs(candidates, models, true), candidates.length);
}

function embed(outs: ReturnType<typeof modelOutputs>, n: number): { rows: Float32Array; dim: number; probs: Float32Array[] } {
  const dim = outs.reduce((d, o) => d + o.dim + 1, 0);
  const rows = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let o = i * dim;
    for (const { p, z, dim: h } of outs) {
      const g = p[i]! - (p[i]! >= 0.5 ? 1 : 0);
      for (let j = 0; j < h; j++) rows[o + j] = g * z![i * h + j]!;
      rows[o + h] = g;
      o += h + 1;
    }
  }
  return { rows, dim, probs: outs.map((o) => o.p) };
}

/** Every candidate's acquisition score under the models (`badge`: the length of its gradient embedding). */
export function acquisitionScores(candidates: ReadonlyArray<RatingCandidate>, models: ReadonlyArray<PlausibilityRewardNet>, acquisition: Acquisition, seed = 0): CandidateScore[] {
  return scoresFrom(modelOutputs(candidates, models, acquisition === 'badge'), candidates.length, acquisition, seed).scores;
}

function scoresFrom(outs: ReturnType<typeof modelOutputs>, n: number, acquisition: Acquisition, seed: number): { scores: CandidateScore[]; embedding: { rows: Float32Array; dim: number } | null } {
  const embedding = acquisition === 'badge' ? embed(outs, n) : null;
  const probs = outs.map((o) => o.p);
  const random = seededRandom(deriveSeed(seed, 'acquisition'));
  const scores = Array.from({ length: n }, (_, i) => {
    const ps = probs.map((p) => p[i]!);
    const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
    const std = Math.sqrt(ps.reduce((a, b) => a + (b - mean) ** 2, 0) / ps.length);
    let score: number;
    if (acquisition === 'random') score = random();
    else if (acquisition === 'entropy') score = entropy(mean);
    else if (acquisition === 'bald') score = entropy(mean) - ps.reduce((a, p) => a + entropy(p), 0) / ps.length;
    else if (acquisition === 'badge') {
      const { rows, dim } = embedding!;
      let sq = 0;
      for (let j = i * dim; j < (i + 1) * dim; j++) sq += rows[j]! ** 2;
      score = Math.sqrt(sq);
    } else score = std;
    return { score, mean, std };
  });
  return { scores, embedding };
}

/**
 * The `n` candidates to rate next, best first. `models`: one reward model (entropy) or an
 * ensemble (disagreement), see `trainPlausibilityEnsemble`.
 */
export function chooseForRating(
  candidates: ReadonlyArray<RatingCandidate>,
  models: PlausibilityRewardNet | ReadonlyArray<PlausibilityRewardNet>,
  n: number,
  opts: ChooseOptions = {},
): ChosenCandidate[] {
  const nets = Array.isArray(models) ? (models as PlausibilityRewardNet[]) : [models as PlausibilityRewardNet];
  const acquisition = opts.acquisition ?? (nets.length > 1 ? 'disagreement' : 'entropy');
  const k = Math.min(n, candidates.length);
  if (k <= 0) return [];
  const seed = opts.seed ?? 0;
  if (acquisition === 'badge' && opts.power !== undefined) throw new RangeError('chooseForRating: power does not apply to badge (its k-means++ draw is already a random, spread batch)');
  const { scores, embedding } = scoresFrom(modelOutputs(candidates, nets, acquisition === 'badge'), candidates.length, acquisition, seed);
  // Ties (e.g. all-zero disagreement) broken at random, not by input order.
  const tiebreak = shuffled(
    candidates.map((_, i) => i),
    seededRandom(deriveSeed(seed, 'tiebreak')),
  );
  const order = new Map(tiebreak.map((i, r) => [i, r]));
  // Gumbel-top-k: sorting by power·log(score) + Gumbel noise samples ∝ score^power without replacement.
  const gumbel = seededRandom(deriveSeed(seed, 'power'));
  const key =
    opts.power === undefined
      ? scores.map((s) => s.score)
      : scores.map((s) => opts.power! * Math.log(Math.max(s.score, 1e-12)) - Math.log(-Math.log(Math.min(1 - 1e-12, Math.max(1e-12, gumbel())))));
  const byScore = (a: number, b: number) => key[b]! - key[a]! || order.get(a)! - order.get(b)!;
  // One group per condition (or one for all), each with its largest-remainder share of k.
  const groups = new Map<string, number[]>();
  const balance = opts.balanceConditions ?? true;
  candidates.forEach((c, i) => {
    const g = balance ? c.condition : '';
    const members = groups.get(g);
    if (members) members.push(i);
    else groups.set(g, [i]);
  });
  const exact = [...groups].map(([c, g]) => [c, (k * g.length) / candidates.length] as const);
  const quotas = new Map(exact.map(([c, q]) => [c, Math.floor(q)]));
  const left = k - [...quotas.values()].reduce((a, b) => a + b, 0);
  for (const [c] of [...exact].sort((a, b) => b[1] - Math.floor(b[1]) - (a[1] - Math.floor(a[1]))).slice(0, left)) quotas.set(c, quotas.get(c)! + 1);
  const picked = [...groups].flatMap(([c, g], gi) => {
    const quota = quotas.get(c)!;
    if (embedding === null) return [...g].sort(byScore).slice(0, quota);
    // BADGE: k-means++ seeding within the condition's gradient embeddings.
    const { rows, dim } = embedding;
    const sub = new Float32Array(g.length * dim);
    g.forEach((idx, r) => sub.set(rows.subarray(idx * dim, (idx + 1) * dim), r * dim));
    return kMeansPlusPlus(sub, dim, quota, seededRandom(deriveSeed(seed, 'badge', gi))).map((r) => g[r]!);
  });
  picked.sort(byScore);
  return picked.map((i, rank) => ({ ...candidates[i]!, ...scores[i]!, rank }));
}
