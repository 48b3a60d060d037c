// Seeded augmentation on rasters: flips and a small affine (rotation, scale,
// translation about the image centre, bilinear sampling). Drawing the parameters
// (`sampleAugmentation`) is separate from applying them (`applyAugmentation`), so a
// seed reproduces a batch exactly and tests can check the geometry directly.
import { type Random, deriveSeed, seededRandom, uniform } from './random.js';
import { type Raster, createRaster } from './raster.js';

/** How pixels that map from outside the source are filled. */
export type Border = 'edge' | 'reflect' | { constant: number };

export interface AugmentOptions {
  /** Probability of a left–right flip (default 0.5). Off for anatomy with a side (chest X-rays). */
  hflip?: number;
  /** Probability of an up–down flip (default 0). */
  vflip?: number;
  /** Maximum rotation in degrees, drawn uniformly in ±rotate (default 0). */
  rotate?: number;
  /** Maximum relative zoom, drawn uniformly in [1 − scale, 1 + scale] (default 0). */
  scale?: number;
  /** Maximum shift as a fraction of width/height, drawn uniformly in ±translate (default 0). */
  translate?: number;
  border?: Border;
}

/** One draw of augmentation parameters. */
export interface AugmentParams {
  hflip: boolean;
  vflip: boolean;
  /** Degrees; positive turns the content counter-clockwise as displayed (y down). */
  rotate: number;
  scale: number;
  /** Shift in pixels (positive: content moves right / down). */
  translateX: number;
  translateY: number;
}

export const IDENTITY_AUGMENTATION: Readonly<AugmentParams> = { hflip: false, vflip: false, rotate: 0, scale: 1, translateX: 0, translateY: 0 };

export function sampleAugmentation(options: AugmentOptions, width: number, height: number, random: Random): AugmentParams {
  const { hflip = 0.5, vflip = 0, rotate = 0, scale = 0, translate = 0 } = options;
  // Always draw every value so the stream position does not depend on the options.
  const h = random();
  const v = random();
  const rot = uniform(random, -rotate, rotate);
  const sc = uniform(random, 1 - scale, 1 + scale);
  const tx = uniform(random, -translate, translate) * width;
  const ty = uniform(random, -translate, translate) * height;
  return { hflip: h < hflip, vflip: v < vflip, rotate: rot, scale: sc, translateX: tx, translateY: ty };
}

export function flipHorizontal(r: Raster): Raster {
  const out = createRaster(r.width, r.height, r.channels);
  const c = r.channels;
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const src = (y * r.width + (r.width - 1 - x)) * c;
      const dst = (y * r.width + x) * c;
      for (let ch = 0; ch < c; ch++) out.data[dst + ch] = r.data[src + ch]!;
    }
  }
  return out;
}

export function flipVertical(r: Raster): Raster {
  const out = createRaster(r.width, r.height, r.channels);
  const row = r.width * r.channels;
  for (let y = 0; y < r.height; y++) out.data.set(r.data.subarray((r.height - 1 - y) * row, (r.height - y) * row), y * row);
  return out;
}

function borderIndex(i: number, n: number, border: Border): number {
  if (i >= 0 && i < n) return i;
  if (border === 'edge') return i < 0 ? 0 : n - 1;
  if (border === 'reflect') {
    // Reflect about the edge pixels (…2 1 | 0 1 2 … n−2 n−1 | n−2 …), like OpenCV BORDER_REFLECT_101.
    if (n === 1) return 0;
    const period = 2 * (n - 1);
    let j = ((i % period) + period) % period;
    if (j >= n) j = period - j;
    return j;
  }
  return -1;
}

/**
 * Rotation by `rotate` degrees and zoom by `scale` about the image centre, then a
 * shift by (translateX, translateY) pixels, sampled bilinearly (inverse mapping).
 */
export function affine(r: Raster, params: Pick<AugmentParams, 'rotate' | 'scale' | 'translateX' | 'translateY'>, border: Border = 'reflect'): Raster {
  const { width: w, height: h, channels: c } = r;
  const out = createRaster(w, h, c);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const theta = (params.rotate * Math.PI) / 180;
  // Forward (y down, counter-clockwise on screen): x' = s(cosθ·dx + sinθ·dy), y' = s(−sinθ·dx + cosθ·dy).
  // Inverse: dx = (cosθ·x' − sinθ·y')/s, dy = (sinθ·x' + cosθ·y')/s.
  const cos = snap(Math.cos(theta)) / params.scale;
  const sin = snap(Math.sin(theta)) / params.scale;
  const fill = typeof border === 'object' ? border.constant : 0;
  for (let y = 0; y < h; y++) {
    const oy = y - cy - params.translateY;
    for (let x = 0; x < w; x++) {
      const ox = x - cx - params.translateX;
      const sx = cos * ox - sin * oy + cx;
      const sy = sin * ox + cos * oy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const dst = (y * w + x) * c;
      const xa = borderIndex(x0, w, border);
      const xb = borderIndex(x0 + 1, w, border);
      const ya = borderIndex(y0, h, border);
      const yb = borderIndex(y0 + 1, h, border);
      // Corner weights; a corner outside the source (constant border) reads `fill`.
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      for (let ch = 0; ch < c; ch++) {
        const at = (xi: number, yi: number, wt: number): number => (wt === 0 ? 0 : wt * (xi < 0 || yi < 0 ? fill : r.data[(yi * w + xi) * c + ch]!));
        out.data[dst + ch] = at(xa, ya, w00) + at(xb, ya, w10) + at(xa, yb, w01) + at(xb, yb, w11);
      }
    }
  }
  return out;
}

/** Rounds values within 1e-12 of an integer, so 90° turns map pixel centres exactly. */
function snap(v: number): number {
  const n = Math.round(v);
  return Math.abs(v - n) < 1e-12 ? n : v;
}

function isIdentityAffine(p: AugmentParams): boolean {
  return p.rotate === 0 && p.scale === 1 && p.translateX === 0 && p.translateY === 0;
}

export function applyAugmentation(r: Raster, params: AugmentParams, border: Border = 'reflect'): Raster {
  let out = r;
  if (params.hflip) out = flipHorizontal(out);
  if (params.vflip) out = flipVertical(out);
  if (!isIdentityAffine(params)) out = affine(out, params, border);
  return out === r ? { ...r, data: r.data.slice() } : out;
}

/** Draws and applies one augmentation. */
export function augment(r: Raster, options: AugmentOptions, random: Random): Raster {
  return applyAugmentation(r, sampleAugmentation(options, r.width, r.height, random), options.border);
}

/**
 * Augments a batch reproducibly: image i uses a stream derived from (seed, i), so
 * its augmentation does not depend on the batch size or on the other images.
 */
export function augmentBatch(rasters: ReadonlyArray<Raster>, options: AugmentOptions, seed: number): Raster[] {
  return rasters.map((r, i) => augment(r, options, seededRandom(deriveSeed(seed, 'augment', i))));
}
