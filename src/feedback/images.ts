// Image bytes as the feedback app handles them: PNG header checks, metadata stripping
// (a generator may write text chunks naming its model or run; raters must never get
// them), decoding into a Raster for simulated raters, and JPEG → PNG at study creation.
import { createHash } from 'node:crypto';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { encodePng } from '../data/png.js';
import { createRaster, type Raster } from '../data/raster.js';
import { InvalidInputError } from './errors.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Chunks that carry pixels or how to show them, never free text. Everything else is dropped. */
const KEPT_CHUNKS = new Set(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND', 'gAMA', 'sRGB', 'cHRM', 'sBIT']);

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 8));
}

export function pngSize(bytes: Buffer, where: string): { width: number; height: number } {
  if (!isPng(bytes) || bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') throw new InvalidInputError(`${where}: not a PNG file`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Copies only the pixel-bearing chunks of a PNG (drops tEXt/zTXt/iTXt/tIME/eXIf/iCCP…). */
export function stripPngMetadata(bytes: Buffer, where = 'image'): Buffer {
  if (!isPng(bytes)) throw new InvalidInputError(`${where}: not a PNG file`);
  const parts: Buffer[] = [SIGNATURE];
  let off = 8;
  while (off + 12 <= bytes.length) {
    const len = bytes.readUInt32BE(off);
    const type = bytes.toString('latin1', off + 4, off + 8);
    const end = off + 12 + len;
    if (end > bytes.length) throw new InvalidInputError(`${where}: truncated PNG chunk '${type}'`);
    if (KEPT_CHUNKS.has(type)) parts.push(bytes.subarray(off, end));
    off = end;
    if (type === 'IEND') break;
  }
  return Buffer.concat(parts);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Normalises an image file's bytes to PNG: PNG passes through, JPEG is decoded and re-encoded. */
export function toPngBytes(bytes: Buffer, where: string): Buffer {
  if (isPng(bytes)) return bytes;
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    const r = createRaster(img.width, img.height, 3);
    for (let i = 0, n = img.width * img.height; i < n; i++) {
      r.data[3 * i] = img.data[4 * i]! / 255;
      r.data[3 * i + 1] = img.data[4 * i + 1]! / 255;
      r.data[3 * i + 2] = img.data[4 * i + 2]! / 255;
    }
    return encodePng(r);
  }
  throw new InvalidInputError(`${where}: neither PNG nor JPEG`);
}

/** Decodes PNG bytes into a Raster: grey stays 1 channel, colour becomes RGB (alpha dropped). */
export function decodePng(bytes: Buffer): Raster {
  const png = PNG.sync.read(bytes);
  const colorType = (png as unknown as { colorType?: number }).colorType;
  const grey = colorType === 0 || colorType === 4;
  const r = createRaster(png.width, png.height, grey ? 1 : 3);
  const n = png.width * png.height;
  for (let i = 0; i < n; i++) {
    if (grey) r.data[i] = png.data[4 * i]! / 255;
    else {
      r.data[3 * i] = png.data[4 * i]! / 255;
      r.data[3 * i + 1] = png.data[4 * i + 1]! / 255;
      r.data[3 * i + 2] = png.data[4 * i + 2]! / 255;
    }
  }
  return r;
}
