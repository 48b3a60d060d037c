// PNG and JPEG decoding and the format dispatch. PNGs are made here with pngjs
// (8/16-bit grey, grey+alpha, RGB, RGBA, every row filter) or chunk by chunk
// (palette, 1/2/4-bit, interlaced); the fast decoder is cross-checked against pngjs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { decodeImage, detectFormat, readImage } from '../../src/data/decode.js';
import { ImageDecodeError } from '../../src/data/errors.js';
import { decodeJpeg } from '../../src/data/jpeg.js';
import { decodePng } from '../../src/data/png-decode.js';
import { seededRandom } from '../../src/data/random.js';

const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');

/** Encodes samples (row-major, interleaved, at the given depth) with pngjs. */
function pngjsEncode(width: number, height: number, samples: ArrayLike<number>, colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16, filterType = -1): Buffer {
  const hasAlpha = colorType === 4 || colorType === 6;
  const data = bitDepth === 16 ? Buffer.from(Uint16Array.from(samples).buffer) : Buffer.from(Uint8Array.from(samples));
  const png = new PNG({ width, height, bitDepth, colorType, inputColorType: colorType, inputHasAlpha: hasAlpha });
  png.data = data;
  return PNG.sync.write(png, { width, height, bitDepth, colorType, inputColorType: colorType, inputHasAlpha: hasAlpha, filterType } as never);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
/** A PNG from already filtered scanlines (each row: filter byte + packed samples). */
function handPng(width: number, height: number, depth: number, colorType: number, scanlines: number[], options: { palette?: number[]; interlace?: number } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([depth, colorType, 0, 0, options.interlace ?? 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(options.palette ? [chunk('PLTE', Uint8Array.from(options.palette))] : []),
    chunk('IDAT', deflateSync(Uint8Array.from(scanlines))),
    chunk('IEND', new Uint8Array()),
  ]);
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-7): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `sample ${i}: ${actual[i]} vs ${expected[i]}`);
}

function randomSamples(n: number, max: number, seed: number): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => Math.floor(rand() * (max + 1)));
}

describe('decodePng', () => {
  it('8-bit grey and RGB: samples / 255', () => {
    const grey = [0, 1, 128, 255, 7, 200];
    const g = decodeImage(pngjsEncode(3, 2, grey, 0, 8), 'g.png');
    assert.deepEqual([g.width, g.height, g.channels], [3, 2, 1]);
    assertClose(g.data, grey.map((v) => v / 255));
    const rgb = randomSamples(4 * 3 * 3, 255, 1);
    const c = decodeImage(pngjsEncode(4, 3, rgb, 2, 8), 'c.png');
    assert.equal(c.channels, 3);
    assertClose(c.data, rgb.map((v) => v / 255));
  });

  it('16-bit grey keeps full precision', () => {
    const values = [0, 1, 257, 32768, 65534, 65535];
    const r = decodePng(pngjsEncode(6, 1, values, 0, 16), 'g16.png');
    assert.equal(r.channels, 1);
    assertClose(r.data, values.map((v) => v / 65535));
    assert.notEqual(r.data[1], 0); // 1/65535 survives (an 8-bit decode would give 0)
  });

  it('RGBA and grey+alpha drop alpha, at 8 and 16 bits', () => {
    const rgba8 = randomSamples(3 * 2 * 4, 255, 2);
    const a = decodePng(pngjsEncode(3, 2, rgba8, 6, 8), 'a.png');
    assert.equal(a.channels, 3);
    assertClose(a.data, rgba8.filter((_, i) => i % 4 !== 3).map((v) => v / 255));
    const rgba16 = randomSamples(2 * 2 * 4, 65535, 3);
    assertClose(decodePng(pngjsEncode(2, 2, rgba16, 6, 16), 'a16.png').data, rgba16.filter((_, i) => i % 4 !== 3).map((v) => v / 65535));
    const rgb16 = randomSamples(2 * 2 * 3, 65535, 4);
    assertClose(decodePng(pngjsEncode(2, 2, rgb16, 2, 16), 'c16.png').data, rgb16.map((v) => v / 65535));
    const ga = [10, 255, 20, 0, 30, 128];
    const g = decodePng(pngjsEncode(3, 1, ga, 4, 8), 'ga.png');
    assert.equal(g.channels, 1);
    assertClose(g.data, [10, 20, 30].map((v) => v / 255));
    const ga16 = [1000, 65535, 60000, 0];
    assertClose(decodePng(pngjsEncode(2, 1, ga16, 4, 16), 'ga16.png').data, [1000 / 65535, 60000 / 65535]);
  });

  it('matches pngjs for every row filter, colour type and depth', () => {
    const cases: Array<[0 | 2 | 4 | 6, 8 | 16]> = [[0, 8], [2, 8], [4, 8], [6, 8], [0, 16], [2, 16], [6, 16]];
    for (const [colorType, depth] of cases) {
      const spp = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType];
      for (const filterType of [0, 1, 2, 3, 4, -1]) {
        const w = 7;
        const h = 5;
        const bytes = pngjsEncode(w, h, randomSamples(w * h * spp, depth === 8 ? 255 : 65535, 10 * colorType + filterType + depth), colorType, depth, filterType);
        const ref = PNG.sync.read(bytes, { skipRescale: true });
        const refData = ref.data as unknown as ArrayLike<number>;
        const mine = decodePng(bytes, 'x.png');
        const channels = colorType === 0 || colorType === 4 ? 1 : 3;
        const expected: number[] = [];
        for (let i = 0; i < w * h; i++) for (let c = 0; c < channels; c++) expected.push(refData[4 * i + c]! / (2 ** depth - 1));
        assertClose(mine.data, expected);
      }
    }
  });

  it('matches pngjs on real images from ../shared/data', (t) => {
    if (!existsSync(SHARED)) return t.skip(`${SHARED} absent`);
    const files = ['pbc64/neutrophil', 'pbc64/platelet', 'nih-cxr64/normal', 'covid-cxr64/images'].flatMap((d) =>
      readdirSync(join(SHARED, d))
        .filter((f) => f.endsWith('.png'))
        .slice(0, 15)
        .map((f) => join(SHARED, d, f)),
    );
    for (const file of files) {
      const bytes = readFileSync(file);
      const ref = PNG.sync.read(bytes);
      const mine = decodePng(bytes, file);
      for (let i = 0; i < mine.width * mine.height; i++) {
        for (let c = 0; c < mine.channels; c++) assert.equal(Math.round(mine.data[i * mine.channels + c]! * 255), ref.data[4 * i + c], `${file} pixel ${i}`);
      }
    }
  });

  it('palette images: colour gives 3 channels, an all-grey palette 1', () => {
    const palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
    const colour = decodePng(handPng(4, 1, 8, 3, [0, 0, 1, 2, 3], { palette }), 'p.png');
    assert.equal(colour.channels, 3);
    assertClose(colour.data, [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30].map((v) => v / 255));
    // 2-bit indices packed MSB first: 0b00_01_10_11 = 0x1b.
    const greyPal = [0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255];
    const grey = decodePng(handPng(4, 1, 2, 3, [0, 0x1b], { palette: greyPal }), 'pg.png');
    assert.equal(grey.channels, 1);
    assertClose(grey.data, [0, 85, 170, 255].map((v) => v / 255));
    assert.throws(() => decodePng(handPng(1, 1, 8, 3, [0, 9], { palette }), 'bad-index.png'), /bad-index\.png: .*palette index 9/);
  });

  it('1-, 2- and 4-bit grey scale to [0, 1]', () => {
    assertClose(decodePng(handPng(8, 1, 1, 0, [0, 0b10110001]), 'b1.png').data, [1, 0, 1, 1, 0, 0, 0, 1]);
    assertClose(decodePng(handPng(4, 1, 2, 0, [0, 0b00011011]), 'b2.png').data, [0, 1 / 3, 2 / 3, 1]);
    assertClose(decodePng(handPng(3, 1, 4, 0, [0, 0x0f, 0x50]), 'b4.png').data, [0, 1, 5 / 15]);
  });

  it('interlaced (Adam7) files decode through pngjs', () => {
    // 2×2 Adam7: pass 1 = (0,0), pass 6 = (1,0), pass 7 = row 1; the other passes are empty.
    const grey = decodePng(handPng(2, 2, 8, 0, [0, 10, 0, 20, 0, 30, 40], { interlace: 1 }), 'i.png');
    assertClose(grey.data, [10, 20, 30, 40].map((v) => v / 255));
    const rgb = decodePng(handPng(2, 2, 8, 2, [0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 10, 11, 12], { interlace: 1 }), 'i.png');
    assert.equal(rgb.channels, 3);
    assertClose(rgb.data, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((v) => v / 255));
  });

  it('truncated and corrupt PNGs are ImageDecodeErrors naming the file', () => {
    const good = pngjsEncode(8, 8, randomSamples(64, 255, 5), 0, 8);
    const isNamed = (name: string) => (e: unknown) => e instanceof ImageDecodeError && e.file === name && e.message.startsWith(`${name}: `);
    assert.throws(() => decodeImage(good.subarray(0, Math.floor(good.length / 2)), 'cells/half.png'), isNamed('cells/half.png'));
    assert.throws(() => decodeImage(good.subarray(0, good.length - 12), 'no-iend.png'), /no-iend\.png: invalid PNG \(truncated/);
    const corrupt = Buffer.from(good);
    const idat = corrupt.indexOf('IDAT');
    for (let i = idat + 6; i < idat + 14; i++) corrupt[i] = corrupt[i]! ^ 0x5a;
    assert.throws(() => decodeImage(corrupt, 'corrupt.png'), isNamed('corrupt.png'));
  });
});

/** A baseline 8×8 greyscale JPEG, byte by byte: one DC-only block, quantiser 1, so every pixel is 128 + DC/8. */
function greyJpeg(value: number): Uint8Array {
  const dc = 8 * (value - 128); // category 8 for 128 ≤ |dc| ≤ 255
  assert.ok(dc >= 128 && dc <= 255);
  // Entropy data: DC code '0' + 8 magnitude bits, AC code '0' (EOB), then 1-padding.
  const bits = '0' + dc.toString(2).padStart(8, '0') + '0';
  const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '1');
  const scan = Array.from({ length: padded.length / 8 }, (_, i) => parseInt(padded.slice(8 * i, 8 * i + 8), 2));
  const bitsCounts = (first: number) => [first, ...new Array(15).fill(0)];
  return Uint8Array.from([
    0xff, 0xd8, // SOI
    0xff, 0xdb, 0x00, 0x43, 0x00, ...new Array(64).fill(1), // DQT table 0, all ones
    0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00, // SOF0 8×8, 1 component
    0xff, 0xc4, 0x00, 0x14, 0x00, ...bitsCounts(1), 0x08, // DHT DC 0: one 1-bit code → category 8
    0xff, 0xc4, 0x00, 0x14, 0x10, ...bitsCounts(1), 0x00, // DHT AC 0: one 1-bit code → EOB
    0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, // SOS
    ...scan,
    0xff, 0xd9, // EOI
  ]);
}

describe('decodeJpeg', () => {
  it('colour JPEG (jpeg-js encoded) decodes to 3 channels close to the source', () => {
    const w = 16;
    const h = 16;
    const rgba = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set([x * 16, y * 16, 128, 255], 4 * (y * w + x));
    const bytes = jpeg.encode({ width: w, height: h, data: rgba }, 100).data;
    const r = decodeImage(bytes, 'c.jpg');
    assert.deepEqual([r.width, r.height, r.channels], [16, 16, 3]);
    let maxErr = 0;
    for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) maxErr = Math.max(maxErr, Math.abs(r.data[3 * i + c]! - rgba[4 * i + c]! / 255));
    assert.ok(maxErr < 6 / 255, `max error ${maxErr * 255} levels`);
  });

  it('greyscale JPEG decodes to 1 channel with the exact DC value', () => {
    const r = decodeImage(greyJpeg(144), 'g.jpg');
    assert.deepEqual([r.width, r.height, r.channels], [8, 8, 1]);
    assertClose(r.data, new Array(64).fill(144 / 255));
  });

  it('12-bit and truncated JPEGs are named errors', () => {
    const twelve = greyJpeg(144);
    twelve[2 + 69 + 4] = 12; // SOF0 precision byte
    assert.throws(() => decodeJpeg(twelve, 'ct.jpg'), /ct\.jpg: 12-bit JPEG not supported/);
    const colour = jpeg.encode({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(200) }, 90).data;
    assert.throws(() => decodeImage(colour.subarray(0, 40), 'cut.jpg'), (e: unknown) => e instanceof ImageDecodeError && e.file === 'cut.jpg');
  });
});

describe('decodeImage dispatch', () => {
  it('detects formats by signature, not name', () => {
    assert.equal(detectFormat(pngjsEncode(1, 1, [0], 0, 8), 'x.jpg'), 'png');
    assert.equal(detectFormat(greyJpeg(144), 'x.png'), 'jpeg');
    const dicm = new Uint8Array(140);
    dicm.set([0x44, 0x49, 0x43, 0x4d], 128);
    assert.equal(detectFormat(dicm, 'noext'), 'dicom');
    assert.equal(detectFormat(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'x.bin'), undefined);
  });

  it('random bytes, empty files and missing files name the file', async () => {
    const rand = seededRandom(7);
    const noise = Uint8Array.from({ length: 512 }, () => Math.floor(rand() * 256));
    noise[0] = 0x42; // not a PNG/JPEG signature, not a DICOM group
    assert.throws(() => decodeImage(noise, 'noise.bin'), /noise\.bin: unrecognised image format/);
    assert.throws(() => decodeImage(new Uint8Array(), 'empty.png'), /empty\.png: empty file/);
    await assert.rejects(readImage('/nonexistent/dir/scan.png'), (e: unknown) => e instanceof ImageDecodeError && e.file === '/nonexistent/dir/scan.png' && /cannot read file/.test(e.message));
  });
});
