// Rasters (HWC, [0, 1]) to and from a flat NCHW batch in a model's value range,
// the layout tensors use. The engine wraps these arrays; data/ stays engine-free.
import { type Raster, createRaster, withChannels } from './raster.js';

/** Value range of model inputs: [0, 1] for classifiers, [-1, 1] for diffusion. */
export type PixelRange = readonly [number, number];

export interface NCHW {
  data: Float32Array;
  shape: [n: number, c: number, h: number, w: number];
}

/**
 * Packs equally sized rasters into NCHW, converting channels (grey ↔ RGB, see
 * `withChannels`) and mapping [0, 1] linearly onto `range`.
 */
export function rastersToNCHW(rasters: ReadonlyArray<Raster>, options: { channels: 1 | 3; range: PixelRange }): NCHW {
  const { channels: c, range } = options;
  const first = rasters[0];
  const h = first?.height ?? 0;
  const w = first?.width ?? 0;
  const plane = h * w;
  const data = new Float32Array(rasters.length * c * plane);
  const [lo, hi] = range;
  const span = hi - lo;
  rasters.forEach((raster, i) => {
    if (raster.width !== w || raster.height !== h) {
      throw new RangeError(`rastersToNCHW: raster ${i} is ${raster.width}×${raster.height}, raster 0 is ${w}×${h}`);
    }
    const r = withChannels(raster, c);
    const base = i * c * plane;
    for (let p = 0; p < plane; p++) {
      for (let ch = 0; ch < c; ch++) data[base + ch * plane + p] = r.data[p * c + ch]! * span + lo;
    }
  });
  return { data, shape: [rasters.length, c, h, w] };
}

/** Unpacks NCHW (values in `range`) into rasters in [0, 1], clamping what falls outside. */
export function nchwToRasters(data: ArrayLike<number>, shape: readonly number[], range: PixelRange): Raster[] {
  if (shape.length !== 4) throw new RangeError(`nchwToRasters: shape must be [n, c, h, w], got [${shape.join(', ')}]`);
  const [n, c, h, w] = shape as [number, number, number, number];
  if (c !== 1 && c !== 3) throw new RangeError(`nchwToRasters: channels must be 1 or 3, got ${c}`);
  if (data.length !== n * c * h * w) throw new RangeError(`nchwToRasters: ${data.length} values for shape [${shape.join(', ')}]`);
  const [lo, hi] = range;
  const inv = 1 / (hi - lo);
  const plane = h * w;
  const out: Raster[] = [];
  for (let i = 0; i < n; i++) {
    const r = createRaster(w, h, c);
    const base = i * c * plane;
    for (let p = 0; p < plane; p++) {
      for (let ch = 0; ch < c; ch++) {
        const v = (data[base + ch * plane + p]! - lo) * inv;
        r.data[p * c + ch] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
    out.push(r);
  }
  return out;
}
