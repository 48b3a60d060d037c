// Choosing what experts rate next: the candidates whose ratings would teach the reward
// model most. With an ensemble (bootstrap members), the acquisition is the members'
// disagreement; with one model, its predictive entropy. Choices are spread across
// conditions (each gets its share of the budget, best candidates first within it), so a
// study never spends all its ratings on one hard class.
import type { Raster } from '../data/raster.js';
import { deriveSeed, seededRandom, shuffled } from '../data/random.js';
import type { PlausibilityRewardNet } from '../models/reward-net.js';
import { predictPlausibility, rastersToUnitTensor } from './plausibility/train.js';

export interface RatingCandidate {
  id: string;
  image: Raster;
  condition: string;
}

/**
 * - `disagreement`: standard deviation of the members' P(plausible) (query by committee);
 * - `bald`: mutual information H(p̄) − mean H(p_m) (Houlsby et al. 2011);
 * - `entropy`: binary entropy of the mean prediction;
 * - `random`: uniform (the baseline).
 */
export type Acquisition = 'disagreement' | 'bald' | 'entropy' | 'random';

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

/** Every candidate's acquisition score under the models. */
export function acquisitionScores(candidates: ReadonlyArray<RatingCandidate>, models: ReadonlyArray<PlausibilityRewardNet>, acquisition: Acquisition, seed = 0): CandidateScore[] {
  if (models.length === 0) throw new RangeError('acquisitionScores: needs at least one model');
  const probs = models.map((net) => {
    const x = rastersToUnitTensor(
      candidates.map((c) => c.image),
      net.config.imageSize,
      net.config.inChannels,
    );
    try {
      return predictPlausibility(
        net,
        x,
        candidates.map((c) => c.condition),
      );
    } finally {
      x.dispose();
    }
  });
  const random = seededRandom(deriveSeed(seed, 'acquisition'));
  return candidates.map((_, i) => {
    const ps = probs.map((p) => p[i]!);
    const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
    const std = Math.sqrt(ps.reduce((a, b) => a + (b - mean) ** 2, 0) / ps.length);
    const score =
      acquisition === 'random' ? random() : acquisition === 'entropy' ? entropy(mean) : acquisition === 'bald' ? entropy(mean) - ps.reduce((a, p) => a + entropy(p), 0) / ps.length : std;
    return { score, mean, std };
  });
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
  const scores = acquisitionScores(candidates, nets, acquisition, opts.seed ?? 0);
  // Ties (e.g. all-zero disagreement) broken at random, not by input order.
  const tiebreak = shuffled(
    candidates.map((_, i) => i),
    seededRandom(deriveSeed(opts.seed ?? 0, 'tiebreak')),
  );
  const order = new Map(tiebreak.map((i, r) => [i, r]));
  // Gumbel-top-k: sorting by power·log(score) + Gumbel noise samples ∝ score^power without replacement.
  const gumbel = seededRandom(deriveSeed(opts.seed ?? 0, 'power'));
  const key =
    opts.power === undefined
      ? scores.map((s) => s.score)
      : scores.map((s) => opts.power! * Math.log(Math.max(s.score, 1e-12)) - Math.log(-Math.log(Math.min(1 - 1e-12, Math.max(1e-12, gumbel())))));
  const byScore = (a: number, b: number) => key[b]! - key[a]! || order.get(a)! - order.get(b)!;
  let picked: number[];
  if (opts.balanceConditions ?? true) {
    const groups = new Map<string, number[]>();
    candidates.forEach((c, i) => groups.set(c.condition, [...(groups.get(c.condition) ?? []), i]));
    for (const g of groups.values()) g.sort(byScore);
    // Largest-remainder quotas in proportion to each condition's candidates.
    const quotas = new Map<string, number>();
    const exact = [...groups].map(([c, g]) => [c, (k * g.length) / candidates.length] as const);
    let left = k;
    for (const [c, q] of exact) {
      quotas.set(c, Math.floor(q));
      left -= Math.floor(q);
    }
    for (const [c] of [...exact].sort((a, b) => b[1] - Math.floor(b[1]) - (a[1] - Math.floor(a[1]))).slice(0, left)) quotas.set(c, quotas.get(c)! + 1);
    picked = [...groups].flatMap(([c, g]) => g.slice(0, quotas.get(c)!));
  } else picked = candidates.map((_, i) => i);
  picked.sort(byScore);
  return picked.slice(0, k).map((i, rank) => ({ ...candidates[i]!, ...scores[i]!, rank }));
}
