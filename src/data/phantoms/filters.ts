// Image filters on plain planes (one Float32Array per channel or an interleaved
// raster): Gaussian blur, box mean, bilinear sampling, smooth random fields. Shared
// by the renderers (blur, texture) and the oracles (denoising, local contrast).
import type { Random } from './random.js';

/** Normalised 1-D Gaussian kernel of radius ceil(3σ). */
export function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/**
 * Separable Gaussian blur of an interleaved w×h×c array (borders clamp). Returns a
 * new array; σ ≤ 0 returns a copy.
 */
export function gaussianBlur(data: Float32Array, w: number, h: number, c: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return data.slice();
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) >> 1;
  const tmp = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  const line = new Float32Array(Math.max(w, h) + 2 * r);
  // Rows: copy each channel's row into a border-padded line, then convolve without branches.
  for (let y = 0; y < h; y++) {
    for (let ch = 0; ch < c; ch++) {
      const base = y * w * c + ch;
      for (let x = 0; x < w; x++) line[x + r] = data[base + x * c]!;
      for (let t = 0; t < r; t++) {
        line[t] = line[r]!;
        line[w + r + t] = line[w + r - 1]!;
      }
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let t = 0; t < k.length; t++) acc += k[t]! * line[x + t]!;
        tmp[base + x * c] = acc;
      }
    }
  }
  // Columns.
  for (let x = 0; x < w; x++) {
    for (let ch = 0; ch < c; ch++) {
      const base = x * c + ch;
      const stride = w * c;
      for (let y = 0; y < h; y++) line[y + r] = tmp[base + y * stride]!;
      for (let t = 0; t < r; t++) {
        line[t] = line[r]!;
        line[h + r + t] = line[h + r - 1]!;
      }
      for (let y = 0; y < h; y++) {
        let acc = 0;
        for (let t = 0; t < k.length; t++) acc += k[t]! * line[y + t]!;
        out[base + y * stride] = acc;
      }
    }
  }
  return out;
}

/** Bilinear sample of one plane at real coordinates (pixel centres at integers; borders clamp). */
export function sampleBilinear(plane: Float32Array, w: number, h: number, x: number, y: number): number {
  const xc = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  const yc = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const x0 = Math.floor(xc);
  const y0 = Math.floor(yc);
  const x1 = x0 + 1 < w ? x0 + 1 : x0;
  const y1 = y0 + 1 < h ? y0 + 1 : y0;
  const fx = xc - x0;
  const fy = yc - y0;
  const a = plane[y0 * w + x0]! * (1 - fx) + plane[y0 * w + x1]! * fx;
  const b = plane[y1 * w + x0]! * (1 - fx) + plane[y1 * w + x1]! * fx;
  return a * (1 - fy) + b * fy;
}

/**
 * A smooth random field with zero mean and unit standard deviation: white noise
 * blurred at `scale` pixels, then standardised. Texture for chromatin, lung
 * markings and stain unevenness.
 */
export function smoothNoise(w: number, h: number, scale: number, random: Random): Float32Array {
  const f = gaussianBlur(fillNormal(new Float32Array(w * h), random), w, h, 1, scale);
  let mean = 0;
  for (let i = 0; i < f.length; i++) mean += f[i]!;
  mean /= f.length;
  let v = 0;
  for (let i = 0; i < f.length; i++) v += (f[i]! - mean) ** 2;
  const sd = Math.sqrt(v / f.length) || 1;
  for (let i = 0; i < f.length; i++) f[i] = (f[i]! - mean) / sd;
  return f;
}

/** Fills `out` with standard normal draws (Box–Muller, both values of each pair). */
export function fillNormal(out: Float32Array, random: Random): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    let u = random();
    while (u === 0) u = random();
    const m = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * random();
    out[i] = m * Math.cos(a);
    if (i + 1 < out.length) out[i + 1] = m * Math.sin(a);
  }
  return out;
}

/** Adds i.i.d. Gaussian noise of standard deviation σ in place, clamping to [0, 1]. */
export function addNoiseInPlace(data: Float32Array, sigma: number, random: Random): void {
  const z = fillNormal(new Float32Array(data.length), random);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]! + sigma * z[i]!;
    data[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/** The p-quantile (0..1) of values (copied and sorted; NaN when empty). */
export function quantile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const s = Float64Array.from(values as ArrayLike<number>).sort();
  const pos = Math.min(n - 1, Math.max(0, p * (n - 1)));
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

function discOffsets(radius: number): Int32Array {
  const r = Math.ceil(radius);
  const out: number[] = [];
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= radius * radius + 1e-9) out.push(dx, dy);
  return Int32Array.from(out);
}

/** Grey-level erosion (`min`) or dilation (`max`) of a w×h plane by a disc (pixels outside are ignored). */
export function greyMorphology(values: Float32Array, w: number, h: number, radius: number, op: 'min' | 'max'): Float32Array {
  const offs = discOffsets(radius);
  const out = new Float32Array(w * h);
  const isMin = op === 'min';
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let best = isMin ? Infinity : -Infinity;
      for (let k = 0; k < offs.length; k += 2) {
        const xx = x + offs[k]!;
        const yy = y + offs[k + 1]!;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const v = values[yy * w + xx]!;
        if (isMin ? v < best : v > best) best = v;
      }
      out[y * w + x] = best;
    }
  }
  return out;
}

/** White top-hat: values − opening (erosion then dilation by a disc). Keeps dense features smaller than the disc (granules), drops larger ones (nuclear lobes). */
export function whiteTopHat(values: Float32Array, w: number, h: number, radius: number): Float32Array {
  const open = greyMorphology(greyMorphology(values, w, h, radius, 'min'), w, h, radius, 'max');
  const out = new Float32Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = values[i]! - open[i]!;
  return out;
}
