// Did the aligned generator beat the baseline? Both models are sampled from the
// same seeds (same x_T and step noise per index), so their judgements come in
// pairs, and a finetuned model's sample usually keeps its baseline twin's verdict.
// Comparing two separate Wilson intervals ignores that pairing and needs a much
// larger difference to call; the paired analysis looks only at the discordant
// pairs: McNemar's exact test (two-sided binomial on gained vs lost, mid-p off)
// and Newcombe's (1998, method 10) score interval for the difference of paired
// proportions.
import { type Interval } from '../bootstrap.js';
import { normalQuantile } from '../stats.js';
import { wilsonInterval } from './plausibility.js';

export interface PairedComparison {
  /** Pairs (same seed) judged under both models. */
  pairs: number;
  /** Implausible under the baseline, plausible after alignment. */
  gained: number;
  /** Plausible under the baseline, implausible after alignment. */
  lost: number;
  /** Rate after minus rate before, with Newcombe's paired score interval. */
  difference: Interval;
  /** McNemar exact two-sided p-value (1 when there are no discordant pairs). */
  pValue: number;
}

/** log C(n, k) */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** Two-sided exact binomial p-value for k of n under p = ½: 2·P(X ≤ min(k, n − k)), capped at 1. */
export function mcnemarExactP(gained: number, lost: number): number {
  const n = gained + lost;
  if (n === 0) return 1;
  const k = Math.min(gained, lost);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/**
 * Paired comparison of `before[i]` and `after[i]` (true = plausible), sample i drawn
 * from the same seed under both models.
 */
export function pairedComparison(before: readonly boolean[], after: readonly boolean[], level = 0.95): PairedComparison {
  if (before.length !== after.length) throw new RangeError(`paired comparison: ${before.length} judgements before but ${after.length} after`);
  const n = before.length;
  let a = 0; // both plausible
  let gained = 0;
  let lost = 0;
  for (let i = 0; i < n; i++) {
    if (before[i] && after[i]) a++;
    else if (!before[i] && after[i]) gained++;
    else if (before[i] && !after[i]) lost++;
  }
  const d = n > 0 ? (gained - lost) / n : NaN;
  const difference: Interval = { estimate: d, lo: NaN, hi: NaN, level, resamples: 0, method: 'newcombe-paired', se: NaN };
  if (n > 0) {
    // Newcombe's method 10: Wilson intervals of the two margins, combined with the pairs' correlation φ
    const p1 = (a + lost) / n; // before
    const p2 = (a + gained) / n; // after
    const w1 = wilsonInterval(a + lost, n, level);
    const w2 = wilsonInterval(a + gained, n, level);
    const c = n - a - gained - lost; // both implausible
    const margins = (a + lost) * (c + gained) * (a + gained) * (c + lost);
    const phi = margins > 0 ? (a * c - gained * lost) / Math.sqrt(margins) : 0;
    const dl2 = (p2 - w2.lo) ** 2 - 2 * phi * (p2 - w2.lo) * (w1.hi - p1) + (w1.hi - p1) ** 2;
    const du2 = (w2.hi - p2) ** 2 - 2 * phi * (w2.hi - p2) * (p1 - w1.lo) + (p1 - w1.lo) ** 2;
    difference.lo = Math.max(-1, d - Math.sqrt(Math.max(0, dl2)));
    difference.hi = Math.min(1, d + Math.sqrt(Math.max(0, du2)));
    difference.se = (difference.hi - difference.lo) / (2 * normalQuantile(1 - (1 - level) / 2));
  }
  return { pairs: n, gained, lost, difference, pValue: mcnemarExactP(gained, lost) };
}
