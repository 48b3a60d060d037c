// SSIM (Wang et al. 2004) with an 11-tap Gaussian window (σ = 1.5), valid
// (unpadded) filtering, K₁ = 0.01, K₂ = 0.03, as in Wang's reference code and
// pytorch_msssim. Computed per channel; the luminance-free contrast–structure
// term `cs` is returned too because MS-SSIM needs it at every scale but the last.
import { F, type Tensor, noGrad, tensor, tidy } from '../../engine/index.js';

export interface SsimOptions {
  /** Gaussian window taps (odd). */
  windowSize?: number;
  sigma?: number;
  k1?: number;
  k2?: number;
  /** Value range of the images (1 for [0, 1]). */
  dataRange?: number;
}

export class ImageShapeError extends Error {
  override name = 'ImageShapeError';
}

/** 1-D Gaussian taps summing to 1. */
export function gaussianTaps(size: number, sigma: number): Float32Array {
  const taps = new Float32Array(size);
  const c = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) sum += taps[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) taps[i]! /= sum;
  return taps;
}

/** Separable Gaussian filter per channel (depthwise conv, no padding). */
function gaussianFilter(x: Tensor, taps: Float32Array): Tensor {
  const c = x.dim(1);
  const size = taps.length;
  return tidy(() => {
    const row = tensor(taps, [1, 1, 1, size]).repeat([c, 1, 1, 1]);
    const col = tensor(taps, [1, 1, size, 1]).repeat([c, 1, 1, 1]);
    return F.conv2d(F.conv2d(x, row, null, { groups: c }), col, null, { groups: c });
  });
}

/** Per image and channel: mean SSIM and mean contrast–structure, each [N, C]. */
export function ssimComponents(x: Tensor, y: Tensor, opts: SsimOptions = {}): { ssim: Tensor; cs: Tensor } {
  if (x.shape.join() !== y.shape.join() || x.ndim !== 4) {
    throw new ImageShapeError(`ssim: image batches must be NCHW of the same shape, got [${x.shape}] and [${y.shape}]`);
  }
  const size = opts.windowSize ?? 11;
  if (x.dim(2) < size || x.dim(3) < size) throw new ImageShapeError(`ssim: images ${x.dim(2)}×${x.dim(3)} are smaller than the ${size}-tap window`);
  const taps = gaussianTaps(size, opts.sigma ?? 1.5);
  const range = opts.dataRange ?? 1;
  const c1 = ((opts.k1 ?? 0.01) * range) ** 2;
  const c2 = ((opts.k2 ?? 0.03) * range) ** 2;
  return noGrad(() =>
    tidy(() => {
      const a = x.to('float32');
      const b = y.to('float32');
      const muX = gaussianFilter(a, taps);
      const muY = gaussianFilter(b, taps);
      const muXX = muX.square();
      const muYY = muY.square();
      const muXY = muX.mul(muY);
      const sXX = gaussianFilter(a.square(), taps).sub(muXX);
      const sYY = gaussianFilter(b.square(), taps).sub(muYY);
      const sXY = gaussianFilter(a.mul(b), taps).sub(muXY);
      const csMap = sXY.mul(2).add(c2).div(sXX.add(sYY).add(c2));
      const ssimMap = muXY.mul(2).add(c1).div(muXX.add(muYY).add(c1)).mul(csMap);
      return { ssim: ssimMap.mean([2, 3]), cs: csMap.mean([2, 3]) };
    }),
  );
}

/** Mean SSIM per image pair (averaged over channels), for NCHW batches x and y. */
export function ssim(x: Tensor, y: Tensor, opts: SsimOptions = {}): number[] {
  return tidy(() => ssimComponents(x, y, opts).ssim.mean(1).toNumbers());
}
