// Expert plausibility rate: the share of judgements that call a sample plausible,
// overall and per condition, with Wilson score intervals (good coverage at the
// small n and extreme rates a rating study produces, unlike the normal interval).
import type { Interval } from '../bootstrap.js';
import { normalQuantile } from '../stats.js';

export interface Judgement {
  plausible: boolean;
  condition?: string;
  /** The sample judged (several raters may judge one sample). */
  sampleId?: string | number;
  rater?: string;
}

export interface PlausibilityResult {
  rate: Interval;
  plausible: number;
  total: number;
  perCondition: Record<string, { rate: Interval; plausible: number; total: number }>;
}

/** Wilson score interval for `successes` out of `n` (estimate = successes / n). */
export function wilsonInterval(successes: number, n: number, level = 0.95): Interval {
  if (n === 0) return { estimate: NaN, lo: NaN, hi: NaN, level, resamples: 0, method: 'wilson', se: NaN };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { estimate: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half), level, resamples: 0, method: 'wilson', se: NaN };
}

/** Plausibility rate from judgements (each judgement counts once; pass majority votes to count samples instead). */
export function plausibilityRate(judgements: ReadonlyArray<Judgement | boolean>, level = 0.95): PlausibilityResult {
  const items = judgements.map((j) => (typeof j === 'boolean' ? { plausible: j } : j));
  const plausible = items.filter((j) => j.plausible).length;
  const groups = new Map<string, { plausible: number; total: number }>();
  for (const j of items) {
    if (j.condition === undefined) continue;
    const g = groups.get(j.condition) ?? { plausible: 0, total: 0 };
    g.total++;
    if (j.plausible) g.plausible++;
    groups.set(j.condition, g);
  }
  const perCondition: PlausibilityResult['perCondition'] = {};
  for (const [c, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) perCondition[c] = { ...g, rate: wilsonInterval(g.plausible, g.total, level) };
  return { rate: wilsonInterval(plausible, items.length, level), plausible, total: items.length, perCondition };
}
