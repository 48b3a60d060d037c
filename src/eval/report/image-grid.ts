// Sample grids for the report: a panel of same-sized rasters tiled into one PNG
// (fewer, larger data URIs than one <img> per sample), upscaled by an integer
// factor with nearest-neighbour so small images stay crisp in any browser.
import { encodePng } from '../../data/png.js';
import { type Raster, createRaster, withChannels } from '../../data/raster.js';

export interface GridOptions {
  /** Tiles per row (default min(n, 4)). */
  columns?: number;
  /** Integer upscale factor (default: so a tile is about 96 px). */
  scale?: number;
  /** Gap between tiles in output pixels. */
  gap?: number;
  /** Background grey in [0, 1]. */
  background?: number;
}

export function tileRasters(images: ReadonlyArray<Raster>, opts: GridOptions = {}): Raster {
  if (images.length === 0) return createRaster(1, 1, 3, 1);
  const w = images[0]!.width;
  const h = images[0]!.height;
  const cols = Math.max(1, Math.min(opts.columns ?? 4, images.length));
  const rows = Math.ceil(images.length / cols);
  const scale = opts.scale ?? Math.max(1, Math.round(96 / Math.max(w, h)));
  const gap = opts.gap ?? 2;
  const tw = w * scale;
  const th = h * scale;
  const out = createRaster(cols * tw + (cols - 1) * gap, rows * th + (rows - 1) * gap, 3, opts.background ?? 1);
  images.forEach((img, k) => {
    if (img.width !== w || img.height !== h) throw new RangeError(`tileRasters: image ${k} is ${img.width}×${img.height}, image 0 is ${w}×${h}`);
    const rgb = withChannels(img, 3);
    const ox = (k % cols) * (tw + gap);
    const oy = Math.floor(k / cols) * (th + gap);
    for (let y = 0; y < th; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < tw; x++) {
        const s = 3 * (sy * w + Math.floor(x / scale));
        const d = 3 * ((oy + y) * out.width + ox + x);
        out.data[d] = rgb.data[s]!;
        out.data[d + 1] = rgb.data[s + 1]!;
        out.data[d + 2] = rgb.data[s + 2]!;
      }
    }
  });
  return out;
}

export function pngDataUri(r: Raster): string {
  return `data:image/png;base64,${encodePng(r).toString('base64')}`;
}
