// k-nearest-neighbour radii of a point set within itself, computed in row chunks
// so a 10k × 10k distance matrix never exists at once.
import { F, type Tensor, cat, noGrad, tidy } from '../../engine/index.js';
import { DistanceTarget } from './distances.js';

/**
 * Rows per chunk so one chunk's distance block holds about `budget` elements.
 * Measured on 10k × 10k (2 cores): 5M-element (20 MB) blocks run PRDC in 1.9 s,
 * 16M-element blocks in 4–7 s — the smaller blocks stay in cache between the
 * several reductions each block goes through.
 */
export function chunkRows(columns: number, budget = 5_000_000): number {
  return Math.max(1, Math.floor(budget / Math.max(1, columns)));
}

/**
 * Distance from each row of `x` [N, D] to its k-th nearest other row (the point
 * itself, at distance 0, is skipped: the (k+1)-th smallest of its row), as [N].
 */
export function knnRadii(x: Tensor, k: number, chunkSize = chunkRows(x.dim(0))): Tensor {
  const n = x.dim(0);
  if (k < 1 || k >= n) throw new RangeError(`knnRadii: k=${k} needs 1 ≤ k < N=${n}`);
  const target = new DistanceTarget(x);
  try {
    return noGrad(() =>
      tidy(() => {
        const parts: Tensor[] = [];
        for (let s = 0; s < n; s += chunkSize) {
          // topk of the k+1 smallest is several times faster than kthvalue on CPU for small k.
          parts.push(tidy(() => F.topk(target.squaredFrom(x.narrow(0, s, Math.min(chunkSize, n - s))), k + 1, 1, false, true)[0].select(1, k).contiguous()));
        }
        return (parts.length === 1 ? parts[0]! : cat(parts, 0)).sqrt();
      }),
    );
  } finally {
    target.dispose();
  }
}
