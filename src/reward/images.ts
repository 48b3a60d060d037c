// What a reward receives: a generator's batch (NCHW tensor in [-1, 1], as the
// samplers return it) or rasters (HWC in [0, 1], as decoders, phantoms and the
// feedback store hand them out). Every model in reward/ reads [0, 1] NCHW at its
// own size and channel count; `toModelInput` converts either form to that.
import { type Raster } from '../data/raster.js';
import { rastersToNCHW } from '../data/nchw.js';
import { fitTo } from '../data/resize.js';
import { F, type Tensor, tensor, tidy } from '../engine/index.js';

export type RewardImages = Tensor | ReadonlyArray<Raster>;

export function isTensorBatch(images: RewardImages): images is Tensor {
  return (images as { __isTensor?: boolean }).__isTensor === true;
}

export function batchSize(images: RewardImages): number {
  return isTensorBatch(images) ? images.dim(0) : images.length;
}

export class RewardInputError extends Error {
  override name = 'RewardInputError';
}

/**
 * [N, channels, size, size] in [0, 1]: a tensor batch is mapped from [-1, 1], grey ↔ RGB
 * converted (BT.601 luma / repeat) and bilinearly resized; rasters are centre-cropped and
 * resized on the CPU. The caller owns (disposes) the result.
 */
export function toModelInput(images: RewardImages, spec: { channels: 1 | 3; size: number }): Tensor {
  if (!isTensorBatch(images)) {
    if (images.length === 0) throw new RewardInputError('no images');
    const fitted = images.map((r) => (r.width === spec.size && r.height === spec.size ? r : fitTo(r, spec.size)));
    const nchw = rastersToNCHW(fitted, { channels: spec.channels, range: [0, 1] });
    return tensor(nchw.data, nchw.shape);
  }
  if (images.ndim !== 4) throw new RewardInputError(`reward images must be [N, C, H, W], got [${images.shape.join(', ')}]`);
  const c = images.dim(1);
  if (c !== 1 && c !== 3) throw new RewardInputError(`reward images must have 1 or 3 channels, got ${c}`);
  return tidy(() => {
    let x = images.detach().add(1).mul(0.5).clamp(0, 1);
    if (c === 3 && spec.channels === 1) {
      x = x.select(1, 0).mul(0.299).add(x.select(1, 1).mul(0.587)).add(x.select(1, 2).mul(0.114)).unsqueeze(1);
    } else if (c === 1 && spec.channels === 3) x = x.repeat([1, 3, 1, 1]);
    if (x.dim(2) !== spec.size || x.dim(3) !== spec.size) x = F.interpolate(x, [spec.size, spec.size], 'bilinear', false);
    return x.contiguous();
  });
}

/** Rasters of either form (for rewards that work on pixels in JS, e.g. PNG size or phantom oracles). */
export function toRasters(images: RewardImages): Raster[] {
  if (!isTensorBatch(images)) return [...images];
  const [n, c, h, w] = images.shape as [number, number, number, number];
  const data = tidy(() => images.detach().add(1).mul(0.5).clamp(0, 1).to('cpu').contiguous().toFloat32Array());
  const plane = h * w;
  const out: Raster[] = [];
  for (let i = 0; i < n; i++) {
    const r: Raster = { width: w, height: h, channels: c as 1 | 3, data: new Float32Array(plane * c) };
    for (let p = 0; p < plane; p++) for (let ch = 0; ch < c; ch++) r.data[p * c + ch] = data[i * c * plane + ch * plane + p]!;
    out.push(r);
  }
  return out;
}
