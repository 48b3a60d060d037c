// Model-space images [B, C, H, W] in [−1, 1] ↔ rasters (HWC in [0, 1], the shape of
// data/'s Raster; declared structurally here because diffusion/ sits below data/'s users
// and depends only on models/ and engine/).
import type { Tensor } from '../engine/index.js';

export interface ImageRaster {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Float32Array;
}

export function tensorToRasters(x: Tensor): ImageRaster[] {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (c !== 1 && c !== 3) throw new RangeError(`tensorToRasters: expected 1 or 3 channels, got ${c}`);
  const data = x.toFloat32Array();
  const plane = h * w;
  const out: ImageRaster[] = [];
  for (let i = 0; i < n; i++) {
    const r = new Float32Array(plane * c);
    for (let p = 0; p < plane; p++) {
      for (let ch = 0; ch < c; ch++) {
        const v = (data[(i * c + ch) * plane + p]! + 1) / 2;
        r[p * c + ch] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
    out.push({ width: w, height: h, channels: c, data: r });
  }
  return out;
}

/** Tiles equally sized rasters into one image, `columns` per row, with `padding` pixels of `background` between. */
export function imageGrid(images: ReadonlyArray<ImageRaster>, columns: number, padding = 2, background = 1): ImageRaster {
  const first = images[0];
  if (!first) throw new RangeError('imageGrid: no images');
  const { width: w, height: h, channels: c } = first;
  const rows = Math.ceil(images.length / columns);
  const gw = columns * w + (columns + 1) * padding;
  const gh = rows * h + (rows + 1) * padding;
  const data = new Float32Array(gw * gh * c).fill(background);
  images.forEach((img, k) => {
    const ox = padding + (k % columns) * (w + padding);
    const oy = padding + Math.floor(k / columns) * (h + padding);
    for (let y = 0; y < h; y++) data.set(img.data.subarray(y * w * c, (y + 1) * w * c), ((oy + y) * gw + ox) * c);
  });
  return { width: gw, height: gh, channels: c, data };
}
