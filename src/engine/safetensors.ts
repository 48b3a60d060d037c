// The safetensors format (8-byte little-endian header length, JSON header padded
// with spaces, raw little-endian data indexed without holes), written atomically
// and read back bit-exact. Reading checks the format's rules, so a truncated or
// foreign file fails with the file name and what is wrong instead of garbage tensors.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, unlinkSync } from 'node:fs';
import type { AnyTypedArray, DType } from './dtype.js';
import { tensor } from './creation.js';
import type { Tensor } from './tensor.js';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

const TO_ST: Record<DType, string> = { float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', uint8: 'U8', bool: 'BOOL' };
const FROM_ST: Record<string, DType> = { F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', U8: 'uint8', BOOL: 'bool' };
const ITEM_BYTES: Record<DType, number> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, uint8: 1, bool: 1 };
/** The format caps the header at 100 MB (a guard against reading a huge foreign file as JSON). */
const MAX_HEADER = 100_000_000;

/** Writes tensors (and string metadata) to `file` through a temp file + fsync + rename. */
export function saveSafetensors(file: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata: Record<string, string> = {}): void {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new CheckpointError(file, "'__metadata__' is reserved by the format and cannot name a tensor");
    const dtype = TO_ST[t.dtype];
    if (!dtype) throw new CheckpointError(file, `tensor '${name}' has dtype ${t.dtype}, which safetensors here does not store`);
    const bytes = rawBytes(t);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    blobs.push(bytes);
    offset += bytes.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(json.length + ((8 - (json.length % 8)) % 8), 0x20); // the format pads the header to 8 bytes with spaces
  json.copy(padded);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(padded.length));
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, head);
    writeSync(fd, padded);
    for (const b of blobs) writeSync(fd, b);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

export interface LoadedSafetensors {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

interface TensorSpec {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Reads a safetensors file; a missing, truncated or foreign file fails with the file name and what is wrong. */
export function loadSafetensors(file: string): LoadedSafetensors {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(file, code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`);
  }
  if (buf.length < 8) throw new CheckpointError(file, `not a safetensors file, or truncated (${buf.length} bytes, shorter than the 8-byte header length)`);
  if (buf.length > 8 && buf[8] !== 0x7b) throw new CheckpointError(file, `not a safetensors file (${sniff(buf)})`);
  const big = buf.readBigUInt64LE(0);
  if (big > BigInt(MAX_HEADER)) throw new CheckpointError(file, `not a safetensors file (header length ${big} is over the format's 100 MB limit)`);
  const n = Number(big);
  if (n < 2) throw new CheckpointError(file, `not a safetensors file (header length ${n})`);
  if (8 + n > buf.length) throw new CheckpointError(file, `truncated: the header needs ${n} bytes but the file has ${buf.length - 8} after the length`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch {
    throw new CheckpointError(file, 'not a safetensors file (header is not JSON)');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new CheckpointError(file, 'not a safetensors file (header is not a JSON object)');
  const data = buf.subarray(8 + n);

  let metadata: Record<string, string> = {};
  const specs: [string, TensorSpec, DType][] = [];
  for (const [name, spec] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (spec === null || typeof spec !== 'object' || Object.values(spec).some((v) => typeof v !== 'string')) {
        throw new CheckpointError(file, '__metadata__ must map names to strings');
      }
      metadata = spec as Record<string, string>;
      continue;
    }
    const s = spec as Partial<TensorSpec> | null;
    if (!s || typeof s.dtype !== 'string' || !Array.isArray(s.shape) || !Array.isArray(s.data_offsets) || s.data_offsets.length !== 2) {
      throw new CheckpointError(file, `tensor '${name}' has no valid dtype, shape and data_offsets`);
    }
    if (!s.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new CheckpointError(file, `tensor '${name}' has an invalid shape [${s.shape}]`);
    const dtype = FROM_ST[s.dtype];
    if (!dtype) throw new CheckpointError(file, `tensor '${name}' has unsupported dtype ${s.dtype} (this engine reads ${Object.keys(FROM_ST).join(', ')})`);
    const [begin, end] = s.data_offsets;
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end < begin) {
      throw new CheckpointError(file, `tensor '${name}' has invalid data_offsets [${begin}, ${end}]`);
    }
    const want = s.shape.reduce((a, b) => a * b, 1) * ITEM_BYTES[dtype];
    if (end - begin !== want) throw new CheckpointError(file, `tensor '${name}' spans ${end - begin} bytes but ${s.dtype} [${s.shape}] needs ${want}`);
    if (end > data.length) throw new CheckpointError(file, `truncated: tensor '${name}' needs data bytes ${begin}..${end} but the file holds ${data.length}`);
    specs.push([name, s as TensorSpec, dtype]);
  }
  // The format indexes the whole buffer without holes or overlaps (no polyglot files).
  const ordered = [...specs].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0] || a[1].data_offsets[1] - b[1].data_offsets[1]);
  let cursor = 0;
  for (const [name, s] of ordered) {
    if (s.data_offsets[0] !== cursor) throw new CheckpointError(file, `tensor '${name}' starts at data byte ${s.data_offsets[0]}, expected ${cursor} (the data must be indexed without holes or overlaps)`);
    cursor = s.data_offsets[1];
  }
  if (cursor !== data.length) throw new CheckpointError(file, `${data.length - cursor} data bytes after the last tensor belong to no tensor`);

  const tensors = new Map<string, Tensor>();
  try {
    for (const [name, s, dtype] of specs) tensors.set(name, fromRawBytes(data.subarray(s.data_offsets[0], s.data_offsets[1]), dtype, s.shape));
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  }
  return { tensors, metadata };
}

/** What a foreign file looks like, for the error message. */
function sniff(buf: Buffer): string {
  const magic: [number[], string][] = [
    [[0x89, 0x50, 0x4e, 0x47], 'it is a PNG image'],
    [[0xff, 0xd8, 0xff], 'it is a JPEG image'],
    [[0x50, 0x4b, 0x03, 0x04], 'it is a zip archive, e.g. a PyTorch .pt file'],
    [[0x80], 'it looks like a Python pickle'],
  ];
  for (const [bytes, what] of magic) if (bytes.every((b, i) => buf[i] === b)) return what;
  if (buf.length > 132 && buf.subarray(128, 132).toString('latin1') === 'DICM') return 'it is a DICOM file';
  return "its JSON header does not start with '{' after the 8-byte length";
}

// ---------------------------------------------------------------- raw little-endian bytes of a tensor

/** The tensor's data exactly as stored: float16/bfloat16 come back from the addon as float32 and are narrowed losslessly. */
function rawBytes(t: Tensor): Uint8Array {
  const arr = t.toArray();
  if (t.dtype === 'float16') return asBytes(Uint16Array.from(arr as Float32Array, float32ToHalfBits));
  if (t.dtype === 'bfloat16') {
    const f = arr as Float32Array;
    const hi = new Uint32Array(f.buffer, f.byteOffset, f.length);
    return asBytes(Uint16Array.from(hi, (b) => b >>> 16)); // a bfloat16 widened to float32 has zero low bits
  }
  return asBytes(arr);
}

function asBytes(a: AnyTypedArray | Uint16Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function fromRawBytes(src: Uint8Array, dtype: DType, shape: number[]): Tensor {
  const bytes = new Uint8Array(src.byteLength); // an aligned copy
  bytes.set(src);
  const ab = bytes.buffer;
  switch (dtype) {
    case 'float32':
      return tensor(new Float32Array(ab), shape);
    case 'float64':
      return tensor(new Float64Array(ab), shape);
    case 'int64':
      return tensor(new BigInt64Array(ab), shape);
    case 'int32':
      return tensor(new Int32Array(ab), shape);
    case 'uint8':
      return tensor(bytes, shape);
    case 'bool':
      return tensor(bytes, shape, { dtype: 'bool' });
    case 'float16':
      return tensor(Float32Array.from(new Uint16Array(ab), halfBitsToFloat32), shape, { dtype: 'float16' });
    case 'bfloat16': {
      const wide = new Uint32Array(Array.from(new Uint16Array(ab), (b) => (b << 16) >>> 0));
      return tensor(new Float32Array(wide.buffer), shape, { dtype: 'bfloat16' });
    }
  }
}

function halfBitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Exact for values a float16 holds (the only ones a float16 tensor yields); others round toward zero. */
function float32ToHalfBits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24); // subnormal
  const exp = Math.floor(Math.log2(a));
  const e = a >= 2 ** (exp + 1) ? exp + 1 : a < 2 ** exp ? exp - 1 : exp; // guard log2 rounding
  const frac = Math.round((a / 2 ** e - 1) * 1024);
  return sign | ((e + 15) << 10) | frac;
}
