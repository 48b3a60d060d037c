// Seeded bootstrap confidence intervals for any statistic of one or more samples
// (e.g. FID resamples both the real and the generated feature set). The same seed
// gives the same interval on every machine: resampling indices come from the
// data module's mulberry32, not from Math.random.
import { seededRandom } from '../data/random.js';
import { normalCdf, normalQuantile, quantileSorted } from './stats.js';

export interface BootstrapOptions {
  /** Resamples (default 1000). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
  seed?: number;
  /**
   * 'percentile' (default): the α/2 and 1−α/2 quantiles of the resampled statistic.
   * 'basic': reflected about the estimate (2θ̂ − q_hi, 2θ̂ − q_lo), which corrects a
   * statistic that resampling biases upwards (FID rises when duplicates enter a set).
   * 'bc': bias-corrected percentile (Efron 1987) — quantiles shifted by z₀ = Φ⁻¹(P(θ* < θ̂)).
   */
  method?: 'percentile' | 'basic' | 'bc';
}

export interface Interval {
  /** The statistic on the original sample(s). */
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  resamples: number;
  method: 'percentile' | 'basic' | 'bc' | 'wilson' | 'newcombe-paired';
  /** Standard deviation of the resampled statistic (NaN for Wilson). */
  se: number;
}

/**
 * `statistic` receives one index array per sample (indices into that sample, drawn
 * with replacement; the identity for the estimate) and returns a number. Resamples
 * whose statistic is not finite are dropped (reported in `resamples`).
 */
export function bootstrapCi(sizes: number | readonly number[], statistic: (...indices: Int32Array[]) => number, opts: BootstrapOptions = {}): Interval {
  const ns = typeof sizes === 'number' ? [sizes] : [...sizes];
  const b = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  const method = opts.method ?? 'percentile';
  if (ns.some((n) => !(n >= 1))) throw new RangeError(`bootstrapCi: every sample needs ≥ 1 item, got sizes [${ns.join(', ')}]`);
  const random = seededRandom(opts.seed ?? 0);
  const estimate = statistic(...ns.map((n) => Int32Array.from({ length: n }, (_, i) => i)));
  const values: number[] = [];
  for (let r = 0; r < b; r++) {
    const idx = ns.map((n) => {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) a[i] = Math.floor(random() * n);
      return a;
    });
    const v = statistic(...idx);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((x, y) => x - y);
  const alpha = 1 - level;
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const se = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
  let lo: number;
  let hi: number;
  if (method === 'bc') {
    const below = values.filter((v) => v < estimate).length + 0.5 * values.filter((v) => v === estimate).length;
    const z0 = normalQuantile(Math.min(1 - 1 / (2 * values.length), Math.max(1 / (2 * values.length), below / values.length)));
    lo = quantileSorted(values, normalCdf(2 * z0 + normalQuantile(alpha / 2)));
    hi = quantileSorted(values, normalCdf(2 * z0 + normalQuantile(1 - alpha / 2)));
  } else {
    const qlo = quantileSorted(values, alpha / 2);
    const qhi = quantileSorted(values, 1 - alpha / 2);
    [lo, hi] = method === 'basic' ? [2 * estimate - qhi, 2 * estimate - qlo] : [qlo, qhi];
  }
  return { estimate, lo, hi, level, resamples: values.length, method, se };
}

/** Bootstrap interval of the mean of `values`. */
export function bootstrapMeanCi(values: ArrayLike<number>, opts: BootstrapOptions = {}): Interval {
  return bootstrapCi(
    values.length,
    (idx) => {
      let s = 0;
      for (const i of idx) s += values[i]!;
      return s / idx.length;
    },
    opts,
  );
}
