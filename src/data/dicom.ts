// DICOM decoding into a Raster: monochrome (MONOCHROME1/2) 8/16/32-bit signed or
// unsigned, native pixel data (implicit/explicit little endian, explicit big endian,
// deflated) or baseline JPEG; RGB/YBR_FULL colour. The pixel pipeline follows
// PS3.3 C.11: stored value → (mask to BitsStored, sign) → modality (slope,
// intercept) → VOI window (centre/width, first value) or min–max → MONOCHROME1
// inverted. Parsing is dicom-parser's; the pixel maths is ours.
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import jpeg from 'jpeg-js';
import { ImageDecodeError, reasonOf } from './errors.js';
import { type Raster, createRaster } from './raster.js';

export interface DicomWindow {
  center: number;
  width: number;
}

export interface DicomOptions {
  /**
   * 'auto' (default): the file's first WindowCenter/WindowWidth, else min–max of
   * the modality values. 'minmax': ignore the file's window. Or an explicit window
   * in modality units (e.g. Hounsfield units for CT).
   */
  window?: 'auto' | 'minmax' | DicomWindow;
  /** Frame of a multi-frame file (default 0). */
  frame?: number;
}

const TS_IMPLICIT_LE = '1.2.840.10008.1.2';
const TS_EXPLICIT_LE = '1.2.840.10008.1.2.1';
const TS_DEFLATED_LE = '1.2.840.10008.1.2.1.99';
const TS_EXPLICIT_BE = '1.2.840.10008.1.2.2';
const TS_JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const NATIVE_SYNTAXES = new Set([TS_IMPLICIT_LE, TS_EXPLICIT_LE, TS_DEFLATED_LE, TS_EXPLICIT_BE]);

const VRS = new Set('AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '));

/** True when the bytes carry the Part-10 preamble + 'DICM' marker. */
export function isDicomPart10(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/**
 * A guess that bytes are a raw (preamble-less) DICOM data set: the first tag is a
 * little-endian group 0x0002 or 0x0008 element. Used only when no other format matches.
 */
export function looksLikeRawDicom(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const group = bytes[0]! | (bytes[1]! << 8);
  return group === 0x0002 || group === 0x0008;
}

function rawTransferSyntax(bytes: Uint8Array): string {
  const vr = String.fromCharCode(bytes[4]!, bytes[5]!);
  return VRS.has(vr) ? TS_EXPLICIT_LE : TS_IMPLICIT_LE;
}

function parse(bytes: Uint8Array, fileName: string): DataSet {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return isDicomPart10(buf) ? dicomParser.parseDicom(buf) : dicomParser.parseDicom(buf, { TransferSyntaxUID: rawTransferSyntax(buf) });
  } catch (e) {
    const inner = e !== null && typeof e === 'object' && 'exception' in e ? (e as { exception: unknown }).exception : e;
    throw new ImageDecodeError(fileName, `invalid DICOM (${reasonOf(inner)})`, { cause: e });
  }
}

function finite(v: number | undefined): number | undefined {
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/** Decodes one frame of a DICOM file (Part-10 or raw data set) into a Raster in [0, 1]. */
export function decodeDicom(bytes: Uint8Array, fileName: string, options: DicomOptions = {}): Raster {
  const ds = parse(bytes, fileName);
  const fail = (reason: string): never => {
    throw new ImageDecodeError(fileName, reason);
  };
  const pixel = ds.elements['x7fe00010'];
  if (!pixel) fail('DICOM has no pixel data (7FE0,0010)');
  const rows = ds.uint16('x00280010');
  const cols = ds.uint16('x00280011');
  if (!rows || !cols) fail('DICOM lacks Rows (0028,0010) or Columns (0028,0011)');
  const width = cols!;
  const height = rows!;
  const samples = ds.uint16('x00280002') ?? 1;
  const photometric = (ds.string('x00280004') ?? (samples === 3 ? 'RGB' : 'MONOCHROME2')).toUpperCase();
  const bitsAllocated = ds.uint16('x00280100') ?? 16;
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  const highBit = ds.uint16('x00280102') ?? bitsStored - 1;
  const signed = (ds.uint16('x00280103') ?? 0) === 1;
  const planar = ds.uint16('x00280006') ?? 0;
  const frames = Math.max(1, ds.intString('x00280008') ?? 1);
  const frame = options.frame ?? 0;
  if (frame < 0 || frame >= frames) fail(`frame ${frame} out of range (file has ${frames})`);
  const syntax = (ds.string('x00020010') ?? TS_IMPLICIT_LE).replace(/\0/g, '');
  if (samples !== 1 && samples !== 3) fail(`SamplesPerPixel ${samples} not supported`);
  if (photometric === 'PALETTE COLOR') fail('PhotometricInterpretation PALETTE COLOR not supported');

  const n = width * height;
  // `stored[i*samples + s]`: stored values, interleaved.
  let stored: Float64Array;
  let storedMax = 2 ** bitsStored - 1;
  let colour = photometric;
  if (pixel!.encapsulatedPixelData) {
    if (syntax !== TS_JPEG_BASELINE && syntax !== '1.2.840.10008.1.2.4.51') {
      fail(`compressed transfer syntax ${syntax} not supported (decompress first, e.g. dcmdjpeg)`);
    }
    stored = decodeJpegFrame(ds, pixel!, frame, frames, samples, width, height, fileName);
    storedMax = 255;
    if (colour.startsWith('YBR')) colour = 'RGB'; // jpeg-js applies the colour transform
  } else {
    if (!NATIVE_SYNTAXES.has(syntax)) fail(`transfer syntax ${syntax} not supported`);
    if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) fail(`BitsAllocated ${bitsAllocated} not supported`);
    const bytesPer = bitsAllocated / 8;
    const frameBytes = n * samples * bytesPer;
    const start = pixel!.dataOffset + frame * frameBytes;
    const available = Math.min(pixel!.length, ds.byteArray.length - pixel!.dataOffset) - frame * frameBytes;
    if (available < frameBytes) fail(`pixel data truncated: frame ${frame} needs ${frameBytes} bytes, ${Math.max(0, available)} present`);
    const view = new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + start, frameBytes);
    const little = syntax !== TS_EXPLICIT_BE;
    const shift = highBit + 1 - bitsStored;
    const count = n * samples;
    stored = new Float64Array(count);
    for (let j = 0; j < count; j++) {
      // Position j of the interleaved output; planar files store all R, then G, then B.
      const src = planar === 1 && samples === 3 ? (j % 3) * n + Math.floor(j / 3) : j;
      let raw = bitsAllocated === 8 ? view.getUint8(src) : bitsAllocated === 16 ? view.getUint16(2 * src, little) : view.getUint32(4 * src, little);
      if (bitsStored < bitsAllocated || shift > 0) raw = Math.floor(raw / 2 ** shift) % 2 ** bitsStored;
      if (signed && raw >= 2 ** (bitsStored - 1)) raw -= 2 ** bitsStored;
      stored[j] = raw;
    }
  }

  if (samples === 3) return colourRaster(stored, width, height, colour, storedMax, signed, fileName);

  const slope = finite(ds.floatString('x00281053')) ?? 1;
  const intercept = finite(ds.floatString('x00281052')) ?? 0;
  const values = stored;
  for (let i = 0; i < n; i++) values[i] = values[i]! * slope + intercept;

  const out = createRaster(width, height, 1);
  const win = chooseWindow(ds, options.window ?? 'auto');
  if (win) {
    // The file's VOI LUT function applies to the file's window; an explicit window is linear.
    const fn = options.window === undefined || options.window === 'auto' ? (ds.string('x00281056') ?? 'LINEAR').toUpperCase() : 'LINEAR';
    const apply = fn === 'SIGMOID' ? sigmoidWindow(win) : fn === 'LINEAR_EXACT' ? linearExactWindow(win) : linearWindow(win);
    for (let i = 0; i < n; i++) out.data[i] = apply(values[i]!);
  } else {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const scale = hi > lo ? 1 / (hi - lo) : 0;
    for (let i = 0; i < n; i++) out.data[i] = (values[i]! - lo) * scale;
  }
  if (photometric === 'MONOCHROME1') for (let i = 0; i < n; i++) out.data[i] = 1 - out.data[i]!;
  return out;
}

function chooseWindow(ds: DataSet, choice: NonNullable<DicomOptions['window']>): DicomWindow | undefined {
  if (choice === 'minmax') return undefined;
  if (choice !== 'auto') return choice;
  const center = finite(ds.floatString('x00281050', 0));
  const width = finite(ds.floatString('x00281051', 0));
  return center !== undefined && width !== undefined && width > 0 ? { center, width } : undefined;
}

/** PS3.3 C.11.2.1.2.1 (LINEAR), scaled to [0, 1]. */
export function linearWindow({ center: c, width: w }: DicomWindow): (x: number) => number {
  const lo = c - 0.5 - (w - 1) / 2;
  const hi = c - 0.5 + (w - 1) / 2;
  return (x) => (x <= lo ? 0 : x > hi ? 1 : (x - (c - 0.5)) / (w - 1) + 0.5);
}

/** PS3.3 C.11.2.1.3.2 (LINEAR_EXACT). */
export function linearExactWindow({ center: c, width: w }: DicomWindow): (x: number) => number {
  return (x) => (x <= c - w / 2 ? 0 : x > c + w / 2 ? 1 : (x - c) / w + 0.5);
}

/** PS3.3 C.11.2.1.3.1 (SIGMOID). */
export function sigmoidWindow({ center: c, width: w }: DicomWindow): (x: number) => number {
  return (x) => 1 / (1 + Math.exp((-4 * (x - c)) / w));
}

function colourRaster(stored: Float64Array, width: number, height: number, photometric: string, max: number, signed: boolean, fileName: string): Raster {
  if (signed) throw new ImageDecodeError(fileName, 'signed colour pixel data not supported');
  const out = createRaster(width, height, 3);
  const n = width * height;
  const inv = 1 / max;
  if (photometric === 'RGB') {
    for (let j = 0; j < 3 * n; j++) out.data[j] = Math.min(1, stored[j]! * inv);
  } else if (photometric === 'YBR_FULL') {
    // PS3.3 C.7.6.3.1.2: full-range YCbCr (JFIF) to RGB.
    const half = (max + 1) / 2;
    for (let i = 0; i < n; i++) {
      const y = stored[3 * i]!;
      const cb = stored[3 * i + 1]! - half;
      const cr = stored[3 * i + 2]! - half;
      const rgb = [y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb];
      for (let s = 0; s < 3; s++) out.data[3 * i + s] = Math.min(1, Math.max(0, rgb[s]! * inv));
    }
  } else {
    throw new ImageDecodeError(fileName, `PhotometricInterpretation ${photometric} not supported for colour`);
  }
  return out;
}

function decodeJpegFrame(ds: DataSet, pixel: Element, frame: number, frames: number, samples: number, width: number, height: number, fileName: string): Float64Array {
  let frameBytes: Uint8Array;
  try {
    const fragments = pixel.fragments ?? [];
    if (frames === 1) frameBytes = dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, fragments.length);
    else if ((pixel.basicOffsetTable ?? []).length > 0) frameBytes = dicomParser.readEncapsulatedImageFrame(ds, pixel, frame);
    else frameBytes = dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, frame, 1);
  } catch (e) {
    throw new ImageDecodeError(fileName, `cannot read encapsulated frame ${frame} (${reasonOf(e)})`, { cause: e });
  }
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(frameBytes, { useTArray: true, formatAsRGBA: false });
  } catch (e) {
    throw new ImageDecodeError(fileName, `invalid JPEG pixel data (${reasonOf(e)})`, { cause: e });
  }
  if (img.width !== width || img.height !== height) {
    throw new ImageDecodeError(fileName, `JPEG frame is ${img.width}×${img.height}, header says ${width}×${height}`);
  }
  const n = img.width * img.height;
  const out = new Float64Array(n * samples);
  // jpeg-js always returns 3 interleaved channels; a grey JPEG repeats its one.
  for (let i = 0; i < n; i++) for (let s = 0; s < samples; s++) out[i * samples + s] = img.data[3 * i + s]!;
  return out;
}
