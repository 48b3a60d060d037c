// Augmentation geometry against closed forms, and seeded reproducibility.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDENTITY_AUGMENTATION, affine, applyAugmentation, augmentBatch, flipHorizontal, flipVertical, sampleAugmentation } from '../../src/data/augment.js';
import { seededRandom } from '../../src/data/random.js';
import { type Raster, createRaster } from '../../src/data/raster.js';

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

const grid = fromFn(5, 5, 3, (x, y, c) => (25 * c + 5 * y + x) / 75);

describe('flips', () => {
  it('mirror exactly and are involutions', () => {
    assertAll(flipHorizontal(grid), (x, y, c) => at(grid, 4 - x, y, c), 0);
    assertAll(flipVertical(grid), (x, y, c) => at(grid, x, 4 - y, c), 0);
    assert.deepEqual(flipHorizontal(flipHorizontal(grid)).data, grid.data);
  });
});

describe('affine', () => {
  it('identity parameters reproduce the image', () => {
    assertAll(affine(grid, IDENTITY_AUGMENTATION), (x, y, c) => at(grid, x, y, c), 1e-7);
  });

  it('+90° turns the content counter-clockwise: out(x, y) = in(4 − y, x)', () => {
    const r = affine(grid, { rotate: 90, scale: 1, translateX: 0, translateY: 0 });
    assertAll(r, (x, y, c) => at(grid, 4 - y, x, c), 1e-6);
    const back = affine(r, { rotate: -90, scale: 1, translateX: 0, translateY: 0 });
    assertAll(back, (x, y, c) => at(grid, x, y, c), 1e-6);
  });

  it('integer translation shifts; the border rule fills what came from outside', () => {
    const t = { rotate: 0, scale: 1, translateX: 2, translateY: 1 };
    assertAll(affine(grid, t, { constant: 0 }), (x, y, c) => (x >= 2 && y >= 1 ? at(grid, x - 2, y - 1, c) : 0), 1e-7);
    assertAll(affine(grid, t, 'edge'), (x, y, c) => at(grid, Math.max(x - 2, 0), Math.max(y - 1, 0), c), 1e-7);
    // Reflect about the edge pixel: column −1 reads column 1, −2 reads 2.
    assertAll(affine(grid, t, 'reflect'), (x, y, c) => at(grid, Math.abs(x - 2), Math.abs(y - 1), c), 1e-7);
  });

  it('zoom ×2 about the centre halves a ramp’s slope (bilinear is exact on ramps)', () => {
    const ramp = fromFn(9, 9, 1, (x, y) => 0.05 * x + 0.02 * y);
    const z = affine(ramp, { rotate: 0, scale: 2, translateX: 0, translateY: 0 });
    assertAll(z, (x, y) => 0.05 * (4 + (x - 4) / 2) + 0.02 * (4 + (y - 4) / 2));
  });

  it('any rotation of a constant image with edge border stays constant', () => {
    const flat = fromFn(8, 6, 1, () => 0.37);
    assertAll(affine(flat, { rotate: 17, scale: 0.9, translateX: 1.3, translateY: -0.4 }, 'edge'), () => 0.37);
  });
});

describe('sampled augmentation', () => {
  it('is reproducible for a seed and respects the ranges', () => {
    const opts = { hflip: 0.5, vflip: 0.2, rotate: 10, scale: 0.1, translate: 0.05 };
    const a = Array.from({ length: 5 }, ((rand) => () => sampleAugmentation(opts, 64, 32, rand))(seededRandom(3)));
    const b = Array.from({ length: 5 }, ((rand) => () => sampleAugmentation(opts, 64, 32, rand))(seededRandom(3)));
    assert.deepEqual(a, b);
    const rand = seededRandom(11);
    let h = 0;
    let v = 0;
    for (let i = 0; i < 2000; i++) {
      const p = sampleAugmentation(opts, 64, 32, rand);
      assert.ok(Math.abs(p.rotate) <= 10 && p.scale >= 0.9 && p.scale <= 1.1);
      assert.ok(Math.abs(p.translateX) <= 0.05 * 64 && Math.abs(p.translateY) <= 0.05 * 32);
      h += +p.hflip;
      v += +p.vflip;
    }
    assert.ok(Math.abs(h / 2000 - 0.5) < 0.05, `hflip rate ${h / 2000}`);
    assert.ok(Math.abs(v / 2000 - 0.2) < 0.05, `vflip rate ${v / 2000}`);
  });

  it('augmentBatch: same seed, same batch; image i does not depend on the batch around it', () => {
    const opts = { rotate: 15, scale: 0.1, translate: 0.1 };
    const other = fromFn(5, 5, 3, () => 0.5);
    const one = augmentBatch([grid, other], opts, 42);
    const two = augmentBatch([grid, other], opts, 42);
    assert.deepEqual(one[0]!.data, two[0]!.data);
    assert.deepEqual(augmentBatch([grid], opts, 42)[0]!.data, one[0]!.data);
    assert.notDeepEqual(augmentBatch([grid], opts, 43)[0]!.data, one[0]!.data);
  });

  it('applyAugmentation never returns its input', () => {
    const out = applyAugmentation(grid, IDENTITY_AUGMENTATION);
    assert.notEqual(out, grid);
    assert.deepEqual(out.data, grid.data);
  });
});
