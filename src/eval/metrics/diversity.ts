// Diversity within a condition as the mean MS-SSIM over random pairs of distinct
// images that share a condition: 1 means every sample is the same image (mode
// collapse), lower means more varied. Compare with the same number on real images
// of the class: a generator should sit near the real value, not far above it.
import { type Tensor, noGrad, tensor, tidy } from '../../engine/index.js';
import { seededRandom } from '../../data/random.js';
import { type MsSsimOptions, msSsim } from './ms-ssim.js';

export interface DiversityOptions extends MsSsimOptions {
  /** Random pairs per condition (all pairs when fewer exist). */
  pairsPerCondition?: number;
  seed?: number;
  /** Pairs per MS-SSIM batch. */
  batchSize?: number;
}

export interface ConditionDiversity {
  /** Mean MS-SSIM over the sampled pairs (NaN when the condition has < 2 images). */
  msSsim: number;
  pairs: number;
  images: number;
}

export interface DiversityResult {
  perCondition: Record<string, ConditionDiversity>;
  /** Mean of the per-condition means (conditions with ≥ 2 images). */
  mean: number;
}

/** Within-condition MS-SSIM of `images` [N, C, H, W] with `conditions[i]` naming image i's condition. */
export function withinConditionMsSsim(images: Tensor, conditions: ReadonlyArray<string | number>, opts: DiversityOptions = {}): DiversityResult {
  if (conditions.length !== images.dim(0)) throw new RangeError(`withinConditionMsSsim: ${conditions.length} conditions for ${images.dim(0)} images`);
  const maxPairs = opts.pairsPerCondition ?? 200;
  const batch = opts.batchSize ?? 128;
  const random = seededRandom(opts.seed ?? 0);
  const groups = new Map<string, number[]>();
  conditions.forEach((c, i) => {
    const key = String(c);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  });
  const perCondition: Record<string, ConditionDiversity> = {};
  for (const [cond, idx] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const pairs = samplePairs(idx, maxPairs, random);
    if (pairs.length === 0) {
      perCondition[cond] = { msSsim: NaN, pairs: 0, images: idx.length };
      continue;
    }
    let sum = 0;
    for (let s = 0; s < pairs.length; s += batch) {
      const part = pairs.slice(s, s + batch);
      const vals = noGrad(() =>
        tidy(() => {
          const ia = tensor(BigInt64Array.from(part, ([a]) => BigInt(a)), [part.length], { dtype: 'int64' });
          const ib = tensor(BigInt64Array.from(part, ([, b]) => BigInt(b)), [part.length], { dtype: 'int64' });
          return msSsim(images.indexSelect(0, ia), images.indexSelect(0, ib), opts);
        }),
      );
      for (const v of vals) sum += v;
    }
    perCondition[cond] = { msSsim: sum / pairs.length, pairs: pairs.length, images: idx.length };
  }
  const vals = Object.values(perCondition)
    .map((d) => d.msSsim)
    .filter(Number.isFinite);
  return { perCondition, mean: vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : NaN };
}

/** Up to `max` distinct unordered pairs; all of them when there are no more than `max`. */
function samplePairs(idx: number[], max: number, random: () => number): [number, number][] {
  const n = idx.length;
  const total = (n * (n - 1)) / 2;
  if (total <= max) {
    const all: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) all.push([idx[i]!, idx[j]!]);
    return all;
  }
  const seen = new Set<number>();
  const out: [number, number][] = [];
  while (out.length < max) {
    const i = Math.floor(random() * n);
    const j = Math.floor(random() * n);
    if (i === j) continue;
    const [a, b] = i < j ? [i, j] : [j, i];
    const key = a * n + b;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([idx[a]!, idx[b]!]);
  }
  return out;
}
