// Colour-shifted real images as implausible examples: the colour transforms against
// closed forms, the negatives' labels and determinism, their exclusion from held-out
// scores, and that training on them teaches the reward model to mark colour shifts down.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRaster, type Raster } from '../../src/data/raster.js';
import { colourCriterion, colourNegatives, rotateHue, scaleSaturation } from '../../src/reward/plausibility/colour-negatives.js';
import type { RatedImage } from '../../src/reward/index.js';
import { predictPlausibility, rastersToUnitTensor, trainPlausibilityModel } from '../../src/reward/plausibility/train.js';
import { deriveSeed } from '../../src/data/random.js';
import { splitIndices } from '../../src/reward/tensors.js';
import { cellPool, rate, realCells } from '../../bench/reward-testbed.js';

const pixel = (rgb: [number, number, number]): Raster => {
  const r = createRaster(1, 1, 3);
  r.data.set(rgb);
  return r;
};
const meanAbsDiff = (a: Raster, b: Raster) => a.data.reduce((s, v, k) => s + Math.abs(v - b.data[k]!), 0) / a.data.length;
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `index ${i}: ${a[i]} vs ${b[i]}`);
};

test('rotateHue: 120° about the grey axis cycles the primaries, 0° and 360° change nothing, grey stays grey', () => {
  close(rotateHue(pixel([0.6, 0, 0]), 120).data, [0, 0.6, 0]);
  close(rotateHue(pixel([0, 0.6, 0]), 120).data, [0, 0, 0.6]);
  close(rotateHue(pixel([0.6, 0, 0]), -120).data, [0, 0, 0.6]);
  const c: [number, number, number] = [0.7, 0.3, 0.5];
  close(rotateHue(pixel(c), 0).data, c);
  close(rotateHue(pixel(c), 360).data, c, 1e-5);
  close(rotateHue(pixel([0.4, 0.4, 0.4]), 77).data, [0.4, 0.4, 0.4]);
  // the mean of the channels (the grey level) is kept while the colour moves
  const turned = rotateHue(pixel(c), 60).data;
  assert.ok(Math.abs((turned[0]! + turned[1]! + turned[2]!) / 3 - 0.5) < 1e-6);
  assert.ok(Math.hypot(turned[0]! - c[0], turned[1]! - c[1], turned[2]! - c[2]) > 0.1);
  assert.throws(() => rotateHue(createRaster(2, 2, 1), 30), /RGB/);
});

test('scaleSaturation: 0 gives the grey level, 1 the image itself, 2 doubles the distance from grey (clipped to [0, 1])', () => {
  close(scaleSaturation(pixel([0.7, 0.3, 0.5]), 0).data, [0.5, 0.5, 0.5]);
  close(scaleSaturation(pixel([0.7, 0.3, 0.5]), 1).data, [0.7, 0.3, 0.5]);
  close(scaleSaturation(pixel([0.6, 0.4, 0.5]), 2).data, [0.7, 0.3, 0.5]);
  close(scaleSaturation(pixel([0.9, 0.1, 0.5]), 2).data, [1, 0, 0.5]);
});

test('colourNegatives: labelled implausible for the true class, the colour criterion failed, synthetic, seeded, and far from their sources', () => {
  const real = realCells(12, 3, 16);
  const a = colourNegatives(real, 20, { seed: 5, criterion: 'cytoplasm_colour' });
  const b = colourNegatives(real, 20, { seed: 5, criterion: 'cytoplasm_colour' });
  assert.equal(a.length, 20);
  for (const [i, n] of a.entries()) {
    assert.equal(n.label, 0);
    assert.equal(n.synthetic, true);
    assert.deepEqual(n.criteria, { cytoplasm_colour: 1 });
    assert.ok(real.some((r) => r.condition === n.condition));
    close(n.image.data, b[i]!.image.data, 0);
    // no source image is within a small colour distance: each is visibly shifted
    const nearest = Math.min(...real.map((r) => meanAbsDiff(r.image, n.image)));
    assert.ok(nearest > 0.02, `negative ${i} is ${nearest} from its nearest source`);
  }
  assert.notDeepEqual(colourNegatives(real, 20, { seed: 6 })[0]!.image.data, a[0]!.image.data);
  assert.deepEqual(colourNegatives(real, 0, { seed: 5 }), []);
  assert.deepEqual(colourNegatives([{ image: createRaster(4, 4, 1), condition: 'x' }], 3, { seed: 5 }), [], 'greyscale data has no colour to shift');
  assert.equal(colourCriterion(['cell_size', 'cytoplasm_colour']), 'cytoplasm_colour');
  assert.equal(colourCriterion(['posture']), undefined);
});

test('a reward model trained with colour negatives scores colour-shifted real cells lower, and its held-out scores count ratings only', () => {
  const SIZE = 16;
  const rated: RatedImage[] = cellPool(120, 11, { size: SIZE }).map((it) => {
    const v = rate(it, { name: 'r1', errorRate: 0.05 }, 3);
    return { id: it.id, image: it.image, condition: it.condition, label: v.plausible ? 1 : 0, criteria: Object.fromEntries(v.failedCriteria.map((c) => [c, 1])), raters: 1 };
  });
  const real = realCells(120, 12, SIZE);
  const probeSources = realCells(40, 13, SIZE);
  const probe = colourNegatives(probeSources, 40, { seed: 14 });
  const gap = (withNegatives: boolean) => {
    const extra = withNegatives ? colourNegatives(real, 240, { seed: 15, criterion: 'cytoplasm_colour' }) : [];
    const trained = trainPlausibilityModel({ rated: [...rated, ...extra], pairs: [], real }, { epochs: 6, seed: 1, net: { widths: [8, 16] }, valFraction: 0.25 });
    const score = (images: Raster[], conds: string[]) => {
      const x = rastersToUnitTensor(images, SIZE, 3);
      const p = Array.from(predictPlausibility(trained.net, x, conds));
      x.dispose();
      return p.reduce((s, v) => s + v, 0) / p.length;
    };
    const shifted = score(probe.map((p) => p.image), probe.map((p) => p.condition));
    const g = score(probeSources.map((p) => p.image), probeSources.map((p) => p.condition)) - shifted;
    const heldOut = trained.metrics.rated?.count ?? 0;
    trained.net.dispose();
    // the seeded split of rated + synthetic items, with only the rated ones scored
    const expected = splitIndices(rated.length + extra.length, 0.25, deriveSeed(1, 'rated'))[1].filter((i) => i < rated.length).length;
    return { g, shifted, heldOut, expected };
  };
  const without = gap(false);
  const withNeg = gap(true);
  // (wrong-class pairs alone teach some of it: on this testbed the classes differ in colour)
  assert.ok(withNeg.g > without.g + 0.08, `score gap real − shifted: ${withNeg.g.toFixed(3)} with negatives, ${without.g.toFixed(3)} without`);
  assert.ok(withNeg.shifted < 0.7 * without.shifted, `P(plausible) of shifted cells: ${withNeg.shifted.toFixed(3)} with negatives, ${without.shifted.toFixed(3)} without`);
  // held-out scores count the held-out ratings only, never a synthetic negative
  for (const r of [without, withNeg]) assert.equal(r.heldOut, r.expected);
  assert.ok(withNeg.expected > 0 && withNeg.expected < 60, `${withNeg.expected} of 60 held out are ratings`);
});
