// Squared Euclidean distance blocks between row sets, for k-NN radii and PRDC.
// Why not F.cdist: the Debian libtorch links the reference (netlib) BLAS, so
// float32 matmul — and cdist, built on it — runs at ~4 GFLOP/s on our CPUs, while
// a 1×1 convolution goes through oneDNN nearly 10× faster. So the block is one
// 1×1 convolution of augmented rows: with a' = [−2a, ‖a‖², 1] and b' = [b, 1, ‖b‖²],
// a'·b' = ‖a‖² + ‖b‖² − 2 a·b = ‖a − b‖² (cdist's own expansion for large inputs),
// clamped at 0 because round-off can make it slightly negative. Squared distances
// order like distances, so callers compare them with squared radii and skip the
// square root on 10⁸ elements. float64 (tests that need exact ties) uses F.cdist.
import { F, type Tensor, cat, keep, noGrad, ones, tidy } from '../../engine/index.js';

export class DistanceTarget {
  /** b' as conv input [1, D + 2, 1, N] (float32 path only). */
  private readonly columns: Tensor | null = null;
  readonly count: number;

  /** `b` [N, D]: the fixed side of every block (held until dispose()). */
  constructor(private readonly b: Tensor) {
    this.count = b.dim(0);
    if (b.dtype === 'float32') {
      this.columns = keep(
        noGrad(() =>
          tidy(() => {
            const [n, d] = b.shape as [number, number];
            const augmented = cat([b, ones([n, 1]), b.square().sum(1, true)], 1); // [N, D + 2]
            return augmented.T.contiguous().reshape([1, d + 2, 1, n]);
          }),
        ),
      );
    }
  }

  /** Squared distances [M, N] from each row of `a` [M, D] (same dtype as b) to each row of b. */
  squaredFrom(a: Tensor): Tensor {
    if (a.dtype !== this.b.dtype) throw new TypeError(`distances: rows are ${a.dtype} but the target is ${this.b.dtype}`);
    return noGrad(() =>
      tidy(() => {
        if (!this.columns) return F.cdist(a, this.b).square();
        const [m, d] = a.shape as [number, number];
        const weights = cat([a.mul(-2), a.square().sum(1, true), ones([m, 1])], 1).reshape([m, d + 2, 1, 1]);
        return F.conv2d(this.columns, weights, null).reshape([m, this.count]).clamp(0);
      }),
    );
  }

  dispose(): void {
    this.columns?.dispose();
  }
}
