// Resize and crop against closed forms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Raster, createRaster } from '../../src/data/raster.js';
import { centreCrop, crop, fitTo, resize } from '../../src/data/resize.js';

function fromFn(width: number, height: number, channels: 1 | 3, f: (x: number, y: number, c: number) => number): Raster {
  const r = createRaster(width, height, channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) r.data[(y * width + x) * channels + c] = f(x, y, c);
  return r;
}
function at(r: Raster, x: number, y: number, c = 0): number {
  return r.data[(y * r.width + x) * r.channels + c]!;
}
function assertAll(r: Raster, f: (x: number, y: number, c: number) => number, tol = 1e-5): void {
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      for (let c = 0; c < r.channels; c++) assert.ok(Math.abs(at(r, x, y, c) - f(x, y, c)) <= tol, `(${x}, ${y}, ${c}): ${at(r, x, y, c)} vs ${f(x, y, c)}`);
    }
  }
}

describe('resize', () => {
  it('a constant image stays constant, up and down, both filters', () => {
    const r = fromFn(13, 9, 3, (_x, _y, c) => 0.2 + 0.3 * c);
    for (const method of ['bilinear', 'area'] as const) {
      for (const [w, h] of [[5, 4], [31, 17], [13, 9], [7, 20]]) {
        const out = resize(r, w!, h!, method);
        assert.deepEqual([out.width, out.height, out.channels], [w, h, 3]);
        assertAll(out, (_x, _y, c) => 0.2 + 0.3 * c);
      }
    }
  });

  it('bilinear keeps a linear ramp linear (half-pixel centres, clamped at the border)', () => {
    const ramp = fromFn(16, 8, 1, (x, y) => 0.01 + 0.05 * x + 0.02 * y);
    // Source coordinate of output pixel o: (o + 0.5)·in/out − 0.5, clamped to [0, in − 1].
    const src = (o: number, inSize: number, outSize: number) => Math.min(Math.max((o + 0.5) * (inSize / outSize) - 0.5, 0), inSize - 1);
    for (const [w, h] of [[8, 4], [5, 3], [40, 20], [16, 8]]) {
      const out = resize(ramp, w!, h!, 'bilinear');
      assertAll(out, (x, y) => 0.01 + 0.05 * src(x, 16, w!) + 0.02 * src(y, 8, h!));
    }
  });

  it('area: 2×2 block means; 3 → 2 weighs the shared pixel by half', () => {
    const r = fromFn(4, 4, 1, (x, y) => y * 4 + x);
    const half = resize(r, 2, 2, 'area');
    assertAll(half, (x, y) => [[2.5, 4.5], [10.5, 12.5]][y]![x]!);
    // Output 0 covers [0, 1.5): (v0 + 0.5·v1)/1.5; output 1 covers [1.5, 3): (0.5·v1 + v2)/1.5.
    const row = fromFn(3, 1, 1, (x) => [0.3, 0.9, 0.6][x]!);
    const two = resize(row, 2, 1, 'area');
    assertAll(two, (x) => (x === 0 ? (0.3 + 0.45) / 1.5 : (0.45 + 0.6) / 1.5));
    // An integer-factor area shrink of a ramp is the ramp at block centres.
    const ramp = fromFn(12, 6, 1, (x, y) => 0.1 * x + 0.05 * y);
    assertAll(resize(ramp, 4, 2, 'area'), (x, y) => 0.1 * (3 * x + 1) + 0.05 * (3 * y + 1));
  });

  it('bilinear halving averages pixel pairs; auto picks area when shrinking', () => {
    const r = fromFn(4, 4, 1, (x, y) => y * 4 + x);
    assertAll(resize(r, 2, 2, 'bilinear'), (x, y) => [[2.5, 4.5], [10.5, 12.5]][y]![x]!);
    // 6 → 2: bilinear samples at 1 and 4 (pixel centres), area averages three.
    const row = fromFn(6, 1, 1, (x) => (x === 1 ? 1 : 0));
    assertAll(resize(row, 2, 1, 'bilinear'), (x) => (x === 0 ? 1 : 0));
    assertAll(resize(row, 2, 1, 'auto'), (x) => (x === 0 ? 1 / 3 : 0));
  });

  it('same size is a copy; bad sizes throw', () => {
    const r = fromFn(3, 2, 1, (x, y) => x + y);
    const same = resize(r, 3, 2);
    assert.deepEqual(same.data, r.data);
    assert.notEqual(same.data, r.data);
    assert.throws(() => resize(r, 0, 2), RangeError);
    assert.throws(() => resize(r, 2.5, 2), RangeError);
  });
});

describe('crop', () => {
  it('centreCrop takes the middle square; odd margins leave the extra pixel right/bottom', () => {
    const r = fromFn(7, 4, 1, (x, y) => 10 * y + x);
    const sq = centreCrop(r);
    assert.deepEqual([sq.width, sq.height], [4, 4]);
    assertAll(sq, (x, y) => 10 * y + x + 1); // left margin floor(3/2) = 1
    const tall = centreCrop(fromFn(3, 6, 3, (x, y, c) => 100 * y + 10 * x + c));
    assertAll(tall, (x, y, c) => 100 * (y + 1) + 10 * x + c);
    const small = centreCrop(r, 2);
    assertAll(small, (x, y) => 10 * (y + 1) + x + 2);
    assert.throws(() => crop(r, 5, 0, 3, 1), RangeError);
  });

  it('fitTo crops to a square then resizes', () => {
    const r = fromFn(100, 60, 3, () => 0.5);
    const out = fitTo(r, 32);
    assert.deepEqual([out.width, out.height, out.channels], [32, 32, 3]);
    assertAll(out, () => 0.5);
    const ramp = fromFn(12, 8, 1, (x) => x);
    // Crop columns 2..9, then 8 → 4 by area: means of column pairs (2,3), (4,5), …
    assertAll(fitTo(ramp, 4), (x) => 2 + 2 * x + 0.5);
  });
});
