// JPEG decoding into a Raster via jpeg-js (pure JS, baseline and progressive,
// 8-bit). A one-component (greyscale) JPEG gives a 1-channel raster.
import jpeg from 'jpeg-js';
import { ImageDecodeError, reasonOf } from './errors.js';
import { type Raster, createRaster } from './raster.js';

interface FrameHeader {
  precision: number;
  components: number;
}

/** Reads the SOFn header (sample precision, component count) by walking the marker segments. */
function readFrameHeader(b: Uint8Array): FrameHeader | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2; // stand-alone markers
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { precision: b[i + 4]!, components: b[i + 9]! };
    if (marker === 0xda) return undefined; // scan before any frame header
    i += 2 + ((b[i + 2]! << 8) | b[i + 3]!);
  }
  return undefined;
}

export function decodeJpeg(bytes: Uint8Array, fileName: string): Raster {
  const header = readFrameHeader(bytes);
  if (!header) throw new ImageDecodeError(fileName, 'invalid JPEG (no frame header)');
  if (header.precision !== 8) throw new ImageDecodeError(fileName, `${header.precision}-bit JPEG not supported (8-bit only)`);
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  } catch (e) {
    throw new ImageDecodeError(fileName, `invalid JPEG (${reasonOf(e)})`, { cause: e });
  }
  const grey = header.components === 1;
  const out = createRaster(img.width, img.height, grey ? 1 : 3);
  const n = img.width * img.height;
  const d = out.data;
  const src = img.data;
  if (grey) for (let i = 0; i < n; i++) d[i] = src[3 * i]! / 255;
  else for (let i = 0; i < 3 * n; i++) d[i] = src[i]! / 255;
  return out;
}
