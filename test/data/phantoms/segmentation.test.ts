// Mask and level-set tools against hand-computed answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussianBlur, greyMorphology, quantile, whiteTopHat } from '../../../src/data/phantoms/filters.js';
import { convexHullArea, dilate, erode, fillHoles, labelComponents, maskArea, otsuThreshold, prominentPeaks } from '../../../src/data/phantoms/segmentation.js';

function mask(rows: string[]): { m: Uint8Array; w: number; h: number } {
  const h = rows.length;
  const w = rows[0]!.length;
  const m = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((c, x) => (m[y * w + x] = c === '#' ? 1 : 0)));
  return { m, w, h };
}

describe('connected components', () => {
  const { m, w, h } = mask(['##..#', '##..#', '.....', '#...#', '.#...']);
  it('labels 8-connected regions with areas and centroids', () => {
    const { components } = labelComponents(m, w, h, 8);
    assert.deepEqual(components.map((c) => c.area).sort(), [1, 2, 2, 4]);
    const square = components.find((c) => c.area === 4)!;
    assert.equal(square.cx, 0.5);
    assert.equal(square.cy, 0.5);
    assert.equal(square.touchesBorder, true);
  });
  it('4-connectivity splits diagonal neighbours', () => {
    assert.equal(labelComponents(m, w, h, 4).components.length, 5);
  });
});

describe('morphology', () => {
  it('erodes a 5×5 square to its centre and dilates a point to a plus (radius 1)', () => {
    const { m, w, h } = mask(['.......', '.#####.', '.#####.', '.#####.', '.#####.', '.#####.', '.......']);
    assert.equal(maskArea(erode(m, w, h, 1)), 9);
    assert.equal(maskArea(erode(m, w, h, 2)), 1);
    const point = mask(['...', '.#.', '...']);
    assert.equal(maskArea(dilate(point.m, 3, 3, 1)), 5);
  });
  it('fills enclosed holes only', () => {
    const { m, w, h } = mask(['#####', '#...#', '#.#.#', '#...#', '###..']);
    const f = fillHoles(m, w, h);
    assert.equal(f[1 * w + 1], 0, 'the ring opens at the bottom right, so its inside is not a hole');
    const closed = mask(['#####', '#...#', '#...#', '#####']);
    assert.equal(maskArea(fillHoles(closed.m, closed.w, closed.h)), 20);
  });
  it('convex hull of a square of pixels is its area; of an L it adds the missing triangle', () => {
    assert.equal(convexHullArea(mask(['###', '###', '###']).m, 3, 3), 9);
    const l = mask(['#..', '#..', '###']);
    assert.equal(convexHullArea(l.m, 3, 3), 7); // the 3×3 box minus the triangle above the diagonal from (1,0) to (3,2)
  });
});

describe('thresholds and peaks', () => {
  it("Otsu's threshold separates two clusters", () => {
    const vals = [...Array.from({ length: 100 }, (_, i) => 0.2 + 0.001 * i), ...Array.from({ length: 100 }, (_, i) => 0.8 + 0.001 * i)];
    const t = otsuThreshold(vals);
    assert.ok(t > 0.3 && t < 0.8, `threshold ${t}`);
  });
  it('counts two separated Gaussian hills as two peaks and a plateau with ripples as one', () => {
    const w = 40;
    const h = 20;
    const two = new Float32Array(w * h);
    const one = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const g = (cx: number) => Math.exp(-((x - cx) ** 2 + (y - 10) ** 2) / 8);
        two[y * w + x] = g(12) + g(28);
        one[y * w + x] = Math.exp(-((x - 20) ** 2 + (y - 10) ** 2) / 60) + 0.02 * Math.sin(x * 1.7);
      }
    }
    const all = new Uint8Array(w * h).fill(1);
    assert.equal(prominentPeaks(two, all, w, h, 0.3).length, 2);
    assert.equal(prominentPeaks(one, all, w, h, 0.1).length, 1);
    // Separate components of the mask are separate peaks however low.
    const split = new Uint8Array(w * h);
    for (let i = 0; i < split.length; i++) split[i] = i % w < 18 || i % w > 22 ? 1 : 0;
    assert.equal(prominentPeaks(one, split, w, h, 0.1).length, 2);
  });
});

describe('filters', () => {
  it('Gaussian blur keeps a constant image and the mean of an impulse', () => {
    const c = new Float32Array(100).fill(0.4);
    for (const v of gaussianBlur(c, 10, 10, 1, 1.3)) assert.ok(Math.abs(v - 0.4) < 1e-6);
    const imp = new Float32Array(21 * 21);
    imp[10 * 21 + 10] = 1;
    const b = gaussianBlur(imp, 21, 21, 1, 1.5);
    assert.ok(Math.abs(b.reduce((s, v) => s + v, 0) - 1) < 1e-5);
    assert.ok(b[10 * 21 + 10]! > b[10 * 21 + 12]!);
  });
  it('a top-hat keeps a dot and drops a broad plateau', () => {
    const w = 21;
    const x = new Float32Array(w * w);
    for (let y = 0; y < w; y++) for (let i = 0; i < w; i++) x[y * w + i] = Math.hypot(i - 10, y - 10) < 7 ? 1 : 0;
    x[10 * w + 10] = 2;
    const t = whiteTopHat(x, w, w, 2);
    assert.ok(Math.abs(t[10 * w + 10]! - 1) < 1e-6);
    assert.ok(Math.abs(t[10 * w + 13]!) < 1e-6);
    assert.equal(greyMorphology(x, w, w, 1, 'max')[0], 0);
  });
  it('quantile interpolates', () => {
    assert.equal(quantile([0, 10], 0.5), 5);
    assert.equal(quantile([3, 1, 2], 0), 1);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });
});
