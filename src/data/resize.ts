// Resizing and cropping rasters. Both filters are separable: per axis, each output
// pixel is a weighted sum of a few input pixels ("taps"), applied along x then y.
//  - bilinear: half-pixel centres (PyTorch align_corners=false, OpenCV INTER_LINEAR),
//    edges clamped; a linear ramp stays linear away from the clamped border.
//  - area: each output pixel is the mean of the input over its footprint (box
//    filter with fractional overlaps, as OpenCV INTER_AREA / PIL BOX when shrinking),
//    which avoids the aliasing bilinear shows when shrinking by more than 2×.
import { type Raster, createRaster } from './raster.js';

export type ResizeMethod = 'bilinear' | 'area' | 'auto';

interface Taps {
  start: Int32Array; // first input index per output pixel
  count: Int32Array; // number of taps per output pixel
  offset: Int32Array; // where its weights begin in `weights`
  weights: Float64Array;
}

function makeTaps(per: Array<{ start: number; weights: number[] }>): Taps {
  const total = per.reduce((s, p) => s + p.weights.length, 0);
  const taps: Taps = {
    start: new Int32Array(per.length),
    count: new Int32Array(per.length),
    offset: new Int32Array(per.length),
    weights: new Float64Array(total),
  };
  let o = 0;
  per.forEach((p, i) => {
    taps.start[i] = p.start;
    taps.count[i] = p.weights.length;
    taps.offset[i] = o;
    taps.weights.set(p.weights, o);
    o += p.weights.length;
  });
  return taps;
}

function bilinearTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const per: Array<{ start: number; weights: number[] }> = [];
  for (let o = 0; o < outSize; o++) {
    const s = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
    const i0 = Math.floor(s);
    const f = s - i0;
    per.push(f === 0 || i0 + 1 >= inSize ? { start: i0, weights: [1] } : { start: i0, weights: [1 - f, f] });
  }
  return makeTaps(per);
}

function areaTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const per: Array<{ start: number; weights: number[] }> = [];
  for (let o = 0; o < outSize; o++) {
    const a = o * scale;
    const b = Math.min((o + 1) * scale, inSize);
    const first = Math.floor(a);
    const weights: number[] = [];
    for (let i = first; i < b; i++) {
      const overlap = Math.min(b, i + 1) - Math.max(a, i);
      if (overlap > 1e-12 || weights.length === 0) weights.push(overlap / (b - a));
    }
    per.push({ start: first, weights });
  }
  return makeTaps(per);
}

// Tap tables depend only on (method, sizes); a data set resizes thousands of images
// of one size, so they are memoised (bounded, for the odd data set of mixed sizes).
const tapCache = new Map<string, Taps>();

function taps(method: 'bilinear' | 'area', inSize: number, outSize: number): Taps {
  const key = `${method}:${inSize}:${outSize}`;
  let t = tapCache.get(key);
  if (!t) {
    t = method === 'area' ? areaTaps(inSize, outSize) : bilinearTaps(inSize, outSize);
    if (tapCache.size >= 256) tapCache.clear();
    tapCache.set(key, t);
  }
  return t;
}

/**
 * Resizes to width × height. 'auto' (default) uses area when shrinking both axes
 * and bilinear otherwise.
 */
export function resize(r: Raster, width: number, height: number, method: ResizeMethod = 'auto'): Raster {
  if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`resize: size must be positive integers, got ${width}×${height}`);
  }
  if (width === r.width && height === r.height) return { ...r, data: r.data.slice() };
  const m = method === 'auto' ? (width <= r.width && height <= r.height ? 'area' : 'bilinear') : method;
  const c = r.channels;
  const tx = taps(m, r.width, width);
  const ty = taps(m, r.height, height);
  // Pass 1: along x, r.height rows of `width` pixels.
  const mid = new Float32Array(r.height * width * c);
  for (let y = 0; y < r.height; y++) {
    const rowIn = y * r.width * c;
    const rowOut = y * width * c;
    for (let x = 0; x < width; x++) {
      const s = tx.start[x]!;
      const k = tx.count[x]!;
      const o = tx.offset[x]!;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let t = 0; t < k; t++) acc += tx.weights[o + t]! * r.data[rowIn + (s + t) * c + ch]!;
        mid[rowOut + x * c + ch] = acc;
      }
    }
  }
  // Pass 2: along y.
  const out = createRaster(width, height, c);
  const stride = width * c;
  for (let y = 0; y < height; y++) {
    const s = ty.start[y]!;
    const k = ty.count[y]!;
    const o = ty.offset[y]!;
    const rowOut = y * stride;
    for (let t = 0; t < k; t++) {
      const w = ty.weights[o + t]!;
      const rowIn = (s + t) * stride;
      for (let j = 0; j < stride; j++) out.data[rowOut + j] += w * mid[rowIn + j]!;
    }
  }
  return out;
}

/** The width × height region whose top-left corner is (left, top). */
export function crop(r: Raster, left: number, top: number, width: number, height: number): Raster {
  if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > r.width || top + height > r.height) {
    throw new RangeError(`crop: ${width}×${height} at (${left}, ${top}) does not fit in ${r.width}×${r.height}`);
  }
  const c = r.channels;
  const out = createRaster(width, height, c);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * r.width + left) * c;
    out.data.set(r.data.subarray(from, from + width * c), y * width * c);
  }
  return out;
}

/**
 * A centred size × size square (default: the largest that fits); odd margins leave
 * the extra pixel at the bottom/right. Returns `r` itself when it already is that square.
 */
export function centreCrop(r: Raster, size = Math.min(r.width, r.height)): Raster {
  if (size === r.width && size === r.height) return r;
  return crop(r, Math.floor((r.width - size) / 2), Math.floor((r.height - size) / 2), size, size);
}

/** Centre-crops to a square, then resizes to size × size: how every image enters a model. May return `r` itself. */
export function fitTo(r: Raster, size: number, method: ResizeMethod = 'auto'): Raster {
  const square = centreCrop(r);
  return square.width === size ? square : resize(square, size, size, method);
}
