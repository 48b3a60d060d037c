// Multi-scale SSIM (Wang, Simoncelli & Bovik 2003): contrast–structure at each
// scale but the coarsest, full SSIM at the coarsest, combined as a weighted
// product; 2×2 average pooling between scales. The standard 5 scales with weights
// (0.0448, 0.2856, 0.3001, 0.2363, 0.1333) need images ≥ 176 px with an 11-tap
// window. Smaller images (our 32–64 px cells) use as many scales as keep the
// coarsest scale at least one window wide — 2 at 32×32, 3 at 64×64 — with the
// first weights renormalised to sum to 1. Negative cs/ssim values are clamped to 0
// before the product (as pytorch_msssim does) so the fractional powers stay real.
import { F, type Tensor, noGrad, tidy } from '../../engine/index.js';
import { type SsimOptions, ImageShapeError, ssimComponents } from './ssim.js';

export const MS_SSIM_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333] as const;

export interface MsSsimOptions extends SsimOptions {
  /** Number of scales (default: as many as fit, at most 5; see msSsimScales). */
  scales?: number;
  /** Per-scale weights (default: the first `scales` standard weights, renormalised). */
  weights?: number[];
}

/** Scales that fit: the coarsest scale must be at least one window wide (min(5, 1 + ⌊log₂(side / window)⌋)). */
export function msSsimScales(height: number, width: number, windowSize = 11): number {
  const side = Math.min(height, width);
  if (side < windowSize) return 0;
  return Math.min(MS_SSIM_WEIGHTS.length, 1 + Math.floor(Math.log2(side / windowSize)));
}

export function msSsimWeights(scales: number): number[] {
  const w = MS_SSIM_WEIGHTS.slice(0, scales);
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

/** MS-SSIM per image pair for NCHW batches in [0, dataRange]; 1 for identical images. */
export function msSsim(x: Tensor, y: Tensor, opts: MsSsimOptions = {}): number[] {
  const win = opts.windowSize ?? 11;
  const scales = opts.scales ?? msSsimScales(x.dim(2), x.dim(3), win);
  if (scales < 1) throw new ImageShapeError(`msSsim: images ${x.dim(2)}×${x.dim(3)} are smaller than the ${win}-tap window`);
  const weights = opts.weights ?? msSsimWeights(scales);
  if (weights.length !== scales) throw new RangeError(`msSsim: ${weights.length} weights for ${scales} scales`);
  return noGrad(() =>
    tidy(() => {
      let a = x;
      let b = y;
      let product: Tensor | null = null;
      for (let s = 0; s < scales; s++) {
        if (s > 0) {
          a = F.avgPool2d(a, 2, 2);
          b = F.avgPool2d(b, 2, 2);
        }
        const { ssim, cs } = ssimComponents(a, b, opts);
        const term = (s === scales - 1 ? ssim : cs).clamp(0).pow(weights[s]!);
        product = product ? product.mul(term) : term;
      }
      return product!.mean(1).toNumbers();
    }),
  );
}
