// Several rewards, weighted, some of them comparative (RLCF): the scalar a policy
// gradient maximises is Σ_k w_k·r_k(x, c), where a comparative r_k is scored
// against the frozen anchor's sample x̂ for the same condition and noise,
// r_k = s_k(x, c) − s_k(x̂, c). Rewards themselves are plain functions
// (images, conditions) → numbers, as in ddpo-pytorch's rewards.py.
import type { Tensor } from '../engine/index.js';

/**
 * A generator's batch [B, C, H, W] in [−1, 1] and its conditions → one number per image
 * (higher = better). reward/registry's RewardFn (which also takes rasters) fits as is.
 */
export type RewardFunction = (images: Tensor, conditions: string[]) => number[] | Promise<number[]>;

export interface RewardTerm {
  name: string;
  weight: number;
  fn: RewardFunction;
  /** Scored as s(x) − s(x̂) against the anchor's sample. */
  comparative: boolean;
}

export class RewardSpecError extends Error {
  override name = 'RewardSpecError';
  constructor(
    readonly spec: string,
    reason: string,
  ) {
    super(`reward spec '${spec}': ${reason}`);
  }
}

/** `plausibility:1,posture:0.5` → [{name, weight}]; a bare name has weight 1. */
export function parseRewardWeights(spec: string): { name: string; weight: number }[] {
  const out = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const [name, w, extra] = part.split(':').map((s) => s.trim());
      if (!name || extra !== undefined) throw new RewardSpecError(spec, `'${part}' is not name or name:weight`);
      const weight = w === undefined ? 1 : Number(w);
      if (!Number.isFinite(weight)) throw new RewardSpecError(spec, `weight of '${name}' is not a number ('${w}')`);
      return { name, weight };
    });
  if (out.length === 0) throw new RewardSpecError(spec, 'no rewards named');
  const seen = new Set<string>();
  for (const { name } of out) {
    if (seen.has(name)) throw new RewardSpecError(spec, `'${name}' is named twice`);
    seen.add(name);
  }
  return out;
}

/** Builds the terms from a spec, a lookup of reward functions and the comparative names. */
export function rewardTerms(spec: string, lookup: (name: string) => RewardFunction, comparative: readonly string[] = []): RewardTerm[] {
  const terms = parseRewardWeights(spec).map(({ name, weight }) => ({ name, weight, fn: lookup(name), comparative: comparative.includes(name) }));
  const unknown = comparative.filter((c) => !terms.some((t) => t.name === c));
  if (unknown.length) throw new RewardSpecError(spec, `comparative reward(s) ${unknown.join(', ')} are not among the weighted rewards`);
  return terms;
}

export interface ScoredRewards {
  /** Σ_k w_k·r_k per image. */
  total: number[];
  /** r_k per image (comparative ones already relative to the anchor). */
  byName: Record<string, number[]>;
  /** s_k(x̂) of the anchor's images, for comparative rewards. */
  anchorByName: Record<string, number[]>;
}

/** Scores `images` (and, for comparative terms, `anchorImages`); images in [−1, 1]. */
export async function scoreRewards(terms: readonly RewardTerm[], images: Tensor, conditions: readonly string[], anchorImages?: Tensor): Promise<ScoredRewards> {
  const total = new Array<number>(conditions.length).fill(0);
  const byName: Record<string, number[]> = {};
  const anchorByName: Record<string, number[]> = {};
  for (const term of terms) {
    let r = await term.fn(images, [...conditions]);
    checkLength(term.name, r, conditions.length);
    if (term.comparative) {
      if (!anchorImages) throw new RewardSpecError(term.name, 'comparative reward needs the anchor’s images');
      const s = await term.fn(anchorImages, [...conditions]);
      checkLength(term.name, s, conditions.length);
      anchorByName[term.name] = s;
      r = r.map((v, i) => v - s[i]!);
    }
    byName[term.name] = r;
    r.forEach((v, i) => (total[i]! += term.weight * v));
  }
  return { total, byName, anchorByName };
}

function checkLength(name: string, r: number[], n: number): void {
  if (r.length !== n) throw new RewardSpecError(name, `returned ${r.length} values for ${n} images`);
  if (r.some((v) => !Number.isFinite(v))) throw new RewardSpecError(name, 'returned a non-finite value');
}

/** Mean, std, min, max and a 10-bin histogram: what the run log keeps per reward. */
export function summarise(xs: readonly number[], bins = 10): { mean: number; std: number; min: number; max: number; histogram: { edges: [number, number]; counts: number[] } } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins || 1;
  for (const x of xs) counts[Math.min(bins - 1, Math.floor((x - min) / width))]!++;
  return { mean, std, min, max, histogram: { edges: [min, max], counts } };
}
