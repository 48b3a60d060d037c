// DICOM decoding against files written byte by byte here (PS3.5 / PS3.10), with
// expected pixels computed by hand from the VOI LUT formula (PS3.3 C.11.2.1.2.1):
//   y = 0 if x ≤ c − 0.5 − (w−1)/2;  1 if x > c − 0.5 + (w−1)/2;  else (x − (c − 0.5))/(w − 1) + 0.5.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { decodeDicom, linearExactWindow, linearWindow, sigmoidWindow } from '../../src/data/dicom.js';
import { decodeImage } from '../../src/data/decode.js';
import { ImageDecodeError } from '../../src/data/errors.js';

interface El {
  tag: [number, number];
  vr: string;
  value: Uint8Array;
}

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function str(vr: string, tag: [number, number], text: string): El {
  // UI pads with NUL, other strings with a space, to even length.
  const padded = text.length % 2 === 0 ? text : text + (vr === 'UI' ? '\0' : ' ');
  return { tag, vr, value: new TextEncoder().encode(padded) };
}
function us(tag: [number, number], v: number, little = true): El {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, little);
  return { tag, vr: 'US', value: b };
}
function pixels(values: number[], bits: 8 | 16, signed: boolean, little = true, tag: [number, number] = [0x7fe0, 0x0010]): El {
  const b = new Uint8Array(values.length * (bits / 8) + ((values.length * bits) / 8) % 2);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => {
    if (bits === 8) dv.setUint8(i, v);
    else if (signed) dv.setInt16(2 * i, v, little);
    else dv.setUint16(2 * i, v, little);
  });
  return { tag, vr: bits === 8 ? 'OB' : 'OW', value: b };
}

/** Encodes elements (sorted by tag) in explicit or implicit VR, little or big endian. */
function encodeElements(els: El[], explicit: boolean, little: boolean): Uint8Array {
  const parts: number[] = [];
  const u16 = (v: number) => (little ? parts.push(v & 0xff, v >> 8) : parts.push(v >> 8, v & 0xff));
  const u32 = (v: number) => (little ? parts.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24) : parts.push(v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff));
  for (const e of [...els].sort((a, b) => a.tag[0] - b.tag[0] || a.tag[1] - b.tag[1])) {
    u16(e.tag[0]);
    u16(e.tag[1]);
    if (explicit) {
      parts.push(e.vr.charCodeAt(0), e.vr.charCodeAt(1));
      if (LONG_VRS.has(e.vr)) {
        parts.push(0, 0);
        u32(e.value.length);
      } else u16(e.value.length);
    } else u32(e.value.length);
    // Byte order of multi-byte values is the caller's (us()/pixels() take `little`).
    for (const b of e.value) parts.push(b);
  }
  return Uint8Array.from(parts);
}

/** A Part-10 file: 128-byte preamble, 'DICM', group 0002 (always explicit LE), then the data set. */
function part10(dataSet: El[], transferSyntax = '1.2.840.10008.1.2.1'): Uint8Array {
  const explicit = transferSyntax !== '1.2.840.10008.1.2';
  const little = transferSyntax !== '1.2.840.10008.1.2.2';
  const metaBody = encodeElements(
    [
      { tag: [0x0002, 0x0001], vr: 'OB', value: Uint8Array.from([0, 1]) },
      str('UI', [0x0002, 0x0002], '1.2.840.10008.5.1.4.1.1.7'),
      str('UI', [0x0002, 0x0003], '1.2.3.4.5'),
      str('UI', [0x0002, 0x0010], transferSyntax),
    ],
    true,
    true,
  );
  const groupLength = encodeElements([{ tag: [0x0002, 0x0000], vr: 'UL', value: Uint8Array.from([metaBody.length & 0xff, (metaBody.length >> 8) & 0xff, 0, 0]) }], true, true);
  const body = encodeElements(dataSet, explicit, little);
  const out = new Uint8Array(132 + groupLength.length + metaBody.length + body.length);
  out.set(new TextEncoder().encode('DICM'), 128);
  out.set(groupLength, 132);
  out.set(metaBody, 132 + groupLength.length);
  out.set(body, 132 + groupLength.length + metaBody.length);
  return out;
}

interface ImageSpec {
  rows: number;
  cols: number;
  bits: 8 | 16;
  stored?: number;
  signed?: boolean;
  photometric?: string;
  slope?: string;
  intercept?: string;
  center?: string;
  width?: string;
  values: number[];
  little?: boolean;
  extra?: El[];
}

function imageElements(s: ImageSpec): El[] {
  const little = s.little ?? true;
  const els: El[] = [
    str('UI', [0x0008, 0x0016], '1.2.840.10008.5.1.4.1.1.7'),
    str('LO', [0x0010, 0x0020], 'PAT001'),
    us([0x0028, 0x0002], 1, little),
    str('CS', [0x0028, 0x0004], s.photometric ?? 'MONOCHROME2'),
    us([0x0028, 0x0010], s.rows, little),
    us([0x0028, 0x0011], s.cols, little),
    us([0x0028, 0x0100], s.bits, little),
    us([0x0028, 0x0101], s.stored ?? s.bits, little),
    us([0x0028, 0x0102], (s.stored ?? s.bits) - 1, little),
    us([0x0028, 0x0103], s.signed ? 1 : 0, little),
    pixels(s.values, s.bits, s.signed ?? false, little),
    ...(s.extra ?? []),
  ];
  if (s.center !== undefined) els.push(str('DS', [0x0028, 0x1050], s.center));
  if (s.width !== undefined) els.push(str('DS', [0x0028, 0x1051], s.width));
  if (s.intercept !== undefined) els.push(str('DS', [0x0028, 0x1052], s.intercept));
  if (s.slope !== undefined) els.push(str('DS', [0x0028, 0x1053], s.slope));
  return els;
}

function assertClose(actual: ArrayLike<number>, expected: number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `pixel ${i}: ${actual[i]} vs ${expected[i]}`);
}

describe('decodeDicom', () => {
  it('8-bit MONOCHROME2 without a window is min–max scaled', () => {
    const file = part10(imageElements({ rows: 2, cols: 2, bits: 8, values: [0, 50, 100, 200] }));
    const r = decodeImage(file, 'mono8.dcm');
    assert.deepEqual([r.width, r.height, r.channels], [2, 2, 1]);
    assertClose(r.data, [0, 0.25, 0.5, 1]);
  });

  it('16-bit unsigned with window centre 100 / width 201', () => {
    // lo = 99.5 − 100 = −0.5, hi = 199.5, y = (x − 99.5)/200 + 0.5.
    const file = part10(imageElements({ rows: 1, cols: 5, bits: 16, values: [0, 50, 199, 300, 65535], center: '100', width: '201' }));
    assertClose(decodeDicom(file, 'u16.dcm').data, [0.0025, 0.2525, 0.9975, 1, 1]);
  });

  it('16-bit signed with rescale slope 2 / intercept −10 and window −10 / 1001', () => {
    // modality = 2·stored − 10 → [−4010, −12, −10, 990]; lo = −510.5, hi = 489.5, y = (x + 10.5)/1000 + 0.5.
    const file = part10(imageElements({ rows: 2, cols: 2, bits: 16, signed: true, values: [-2000, -1, 0, 500], slope: '2', intercept: '-10', center: '-10', width: '1001' }));
    assertClose(decodeDicom(file, 's16.dcm').data, [0, 0.4985, 0.5005, 1]);
  });

  it('MONOCHROME1 is inverted after windowing', () => {
    // c = 128, w = 256: lo = 0, hi = 255, y = (x − 127.5)/255 + 0.5; output 1 − y.
    const file = part10(imageElements({ rows: 1, cols: 4, bits: 8, photometric: 'MONOCHROME1', values: [0, 64, 255, 128], center: '128', width: '256' }));
    assertClose(decodeDicom(file, 'mono1.dcm').data, [1, 1 - ((64 - 127.5) / 255 + 0.5), 0, 1 - ((128 - 127.5) / 255 + 0.5)]);
  });

  it('uses the first of multi-valued window centre/width', () => {
    const file = part10(imageElements({ rows: 1, cols: 2, bits: 16, values: [0, 199], center: '100\\2000', width: '201\\4000' }));
    assertClose(decodeDicom(file, 'multi.dcm').data, [0.0025, 0.9975]);
  });

  it('masks BitsStored 12 of 16 and sign-extends', () => {
    // High bits are garbage; 12-bit two's complement: 0x123 = 291, 0xFFF = −1, 0x800 = −2048, 0 = 0.
    const file = part10(imageElements({ rows: 1, cols: 4, bits: 16, stored: 12, signed: false, values: [0xf123, 0x0fff, 0x0800, 0x0000], extra: [] }).map((e) => (e.tag[0] === 0x0028 && e.tag[1] === 0x0103 ? us([0x0028, 0x0103], 1) : e)));
    const r = decodeDicom(file, 'b12.dcm');
    assertClose(r.data, [291, -1, -2048, 0].map((v) => (v + 2048) / (291 + 2048)));
  });

  it('window option overrides the file; minmax ignores it', () => {
    const file = part10(imageElements({ rows: 1, cols: 3, bits: 16, values: [0, 100, 400], center: '100', width: '201' }));
    assertClose(decodeDicom(file, 'w.dcm', { window: 'minmax' }).data, [0, 0.25, 1]);
    // LINEAR with c = 200, w = 401: lo = −0.5, y = (x − 199.5)/400 + 0.5.
    assertClose(decodeDicom(file, 'w.dcm', { window: { center: 200, width: 401 } }).data, [0.00125, 0.25125, 1]);
  });

  it("the file's VOI LUT function (SIGMOID) applies to its own window only", () => {
    const file = part10(imageElements({ rows: 1, cols: 2, bits: 16, values: [100, 150], center: '100', width: '200', extra: [str('CS', [0x0028, 0x1056], 'SIGMOID')] }));
    assertClose(decodeDicom(file, 'sig.dcm').data, [0.5, 1 / (1 + Math.exp(-1))]);
    // An explicit window is linear: c = 100, w = 201 → y = (x − 99.5)/200 + 0.5.
    assertClose(decodeDicom(file, 'sig.dcm', { window: { center: 100, width: 201 } }).data, [0.5025, 0.7525]);
  });

  it('reads raw (preamble-less) implicit VR little endian data sets', () => {
    const raw = encodeElements(imageElements({ rows: 1, cols: 3, bits: 16, values: [10, 20, 30] }), false, true);
    assert.equal(raw[0], 0x08); // starts at group 0008
    assertClose(decodeImage(raw, 'raw-file').data, [0, 0.5, 1]);
  });

  it('reads implicit VR and explicit big endian Part-10 files', () => {
    const implicit = part10(imageElements({ rows: 1, cols: 3, bits: 16, values: [10, 20, 30] }), '1.2.840.10008.1.2');
    assertClose(decodeDicom(implicit, 'ivr.dcm').data, [0, 0.5, 1]);
    const big = part10(imageElements({ rows: 1, cols: 3, bits: 16, values: [1000, 2000, 5000], little: false }), '1.2.840.10008.1.2.2');
    assertClose(decodeDicom(big, 'be.dcm').data, [0, 0.25, 1]);
  });

  it('decodes 8-bit RGB, interleaved and planar', () => {
    const rgb = (planar: number, values: number[]) =>
      part10([
        us([0x0028, 0x0002], 3),
        str('CS', [0x0028, 0x0004], 'RGB'),
        us([0x0028, 0x0006], planar),
        us([0x0028, 0x0010], 1),
        us([0x0028, 0x0011], 2),
        us([0x0028, 0x0100], 8),
        us([0x0028, 0x0101], 8),
        us([0x0028, 0x0102], 7),
        us([0x0028, 0x0103], 0),
        pixels(values, 8, false),
      ]);
    const expected = [255, 0, 51, 0, 102, 255].map((v) => v / 255);
    const a = decodeDicom(rgb(0, [255, 0, 51, 0, 102, 255]), 'rgb.dcm');
    assert.equal(a.channels, 3);
    assertClose(a.data, expected);
    assertClose(decodeDicom(rgb(1, [255, 0, 0, 102, 51, 255]), 'planar.dcm').data, expected);
  });

  it('decodes baseline JPEG pixel data (encapsulated)', () => {
    const w = 16;
    const h = 8;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([(i % w) * 16, (i % w) * 16, (i % w) * 16, 255], 4 * i);
    const jpg = new Uint8Array(jpeg.encode({ width: w, height: h, data: rgba }, 95).data);
    const frag = jpg.length % 2 === 0 ? jpg : Uint8Array.from([...jpg, 0]);
    // Pixel data of undefined length: empty basic offset table item, one fragment, sequence delimiter.
    const item = (bytes: Uint8Array) => [0xfe, 0xff, 0x00, 0xe0, bytes.length & 0xff, (bytes.length >> 8) & 0xff, (bytes.length >> 16) & 0xff, 0, ...bytes];
    const encapsulated = Uint8Array.from([...item(new Uint8Array()), ...item(frag), 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
    const head = part10([us([0x0028, 0x0002], 1), str('CS', [0x0028, 0x0004], 'MONOCHROME2'), us([0x0028, 0x0010], h), us([0x0028, 0x0011], w), us([0x0028, 0x0100], 8), us([0x0028, 0x0101], 8), us([0x0028, 0x0102], 7), us([0x0028, 0x0103], 0)], '1.2.840.10008.1.2.4.50');
    const pixelHeader = [0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff];
    const file = Uint8Array.from([...head, ...pixelHeader, ...encapsulated]);
    const r = decodeDicom(file, 'jpeg.dcm');
    const ref = jpeg.decode(jpg, { useTArray: true, formatAsRGBA: false });
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < w * h; i++) {
      lo = Math.min(lo, ref.data[3 * i]!);
      hi = Math.max(hi, ref.data[3 * i]!);
    }
    // No window in the file: min–max of the decoded samples.
    assertClose(r.data, Array.from({ length: w * h }, (_, i) => (ref.data[3 * i]! - lo) / (hi - lo)));
  });

  it('a file without pixel data is an ImageDecodeError naming the file', () => {
    const els = imageElements({ rows: 1, cols: 1, bits: 8, values: [1] }).filter((e) => e.tag[0] !== 0x7fe0);
    assert.throws(() => decodeImage(part10(els), '/data/scan/no-pixels.dcm'), (e: unknown) => e instanceof ImageDecodeError && e.file === '/data/scan/no-pixels.dcm' && /no-pixels\.dcm.*no pixel data/.test(e.message));
  });

  it('short pixel data, compressed syntaxes and garbage after DICM are named errors', () => {
    const short = part10(imageElements({ rows: 4, cols: 4, bits: 16, values: [1, 2, 3] }));
    assert.throws(() => decodeDicom(short, 'short.dcm'), /short\.dcm: pixel data truncated/);
    const lossless = part10(imageElements({ rows: 1, cols: 1, bits: 8, values: [1] }), '1.2.840.10008.1.2.4.70');
    assert.throws(() => decodeDicom(lossless, 'll.dcm'), (e: unknown) => e instanceof ImageDecodeError && /ll\.dcm/.test(e.message));
    const garbage = new Uint8Array(200);
    garbage.set(new TextEncoder().encode('DICM'), 128);
    garbage.fill(0xab, 132);
    assert.throws(() => decodeImage(garbage, 'garbage.dcm'), (e: unknown) => e instanceof ImageDecodeError && e.message.startsWith('garbage.dcm: '));
  });

  it('window functions follow PS3.3 at their breakpoints', () => {
    const lin = linearWindow({ center: 40, width: 400 });
    assert.equal(lin(40 - 0.5 - 399 / 2), 0);
    assert.equal(lin(40 - 0.5 + 399 / 2 + 1e-9), 1);
    assert.equal(lin(39.5), 0.5);
    const exact = linearExactWindow({ center: 40, width: 400 });
    assert.equal(exact(40), 0.5);
    assert.equal(exact(-160), 0);
    assert.equal(exact(240), 1);
    const sig = sigmoidWindow({ center: 40, width: 400 });
    assert.equal(sig(40), 0.5);
    assert.ok(Math.abs(sig(140) - 1 / (1 + Math.exp(-1))) < 1e-12);
  });
});
