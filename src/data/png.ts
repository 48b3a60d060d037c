// PNG encoding of rasters (8-bit grey or RGB), via pngjs (pure JS, no native build).
import { PNG } from 'pngjs';
import { type Raster, rasterToBytes } from './raster.js';

export function encodePng(r: Raster): Buffer {
  const png = new PNG({ width: r.width, height: r.height, colorType: r.channels === 1 ? 0 : 2, inputColorType: r.channels === 1 ? 0 : 2, inputHasAlpha: false });
  const bytes = rasterToBytes(r);
  return PNG.sync.write({ ...png, data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) } as unknown as PNG, {
    colorType: r.channels === 1 ? 0 : 2,
    inputColorType: r.channels === 1 ? 0 : 2,
    inputHasAlpha: false,
  });
}
