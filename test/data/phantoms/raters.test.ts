// Oracle judges and simulated raters: the judge signature the feedback simulator
// uses, dispatch by condition, and the rater's error, bias and misses at their rates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Raster } from '../../../src/data/raster.js';
import { CELL_CRITERIA, criteriaFor, imageKey, makeOracleJudge, type PhantomJudge, renderBrokenCell, renderCell, renderCxr, simulatedRater } from '../../../src/data/phantoms/index.js';

/** Synthetic images that differ only in one pixel (distinct content keys), judged by a fixed rule. */
function images(n: number): Raster[] {
  return Array.from({ length: n }, (_, i) => {
    const data = new Float32Array(16);
    data[0] = (i % 256) / 255;
    data[1] = Math.floor(i / 256) / 255;
    return { width: 4, height: 4, channels: 1, data };
  });
}
const evenIsPlausible: PhantomJudge = (img) => (Math.round(img.data[0]! * 255) % 2 === 0 ? { plausible: true, failedCriteria: [] } : { plausible: false, failedCriteria: ['granules', 'cell_size'] });

describe('oracle judges', () => {
  it('judge a cell against its class and a broken cell as implausible, naming criteria', () => {
    const judge = makeOracleJudge('cells');
    const good = renderCell({ label: 'eosinophil', seed: 2 }).image;
    assert.deepEqual(judge(good, 'eosinophil'), { plausible: true, failedCriteria: [] });
    const bad = renderBrokenCell({ label: 'eosinophil', kind: 'missing-granules', seed: 2 }).image;
    const v = judge(bad, 'eosinophil');
    assert.equal(v.plausible, false);
    assert.ok(v.failedCriteria.includes('granules'));
    for (const c of v.failedCriteria) assert.ok((CELL_CRITERIA as readonly string[]).includes(c));
  });
  it("'auto' sends cell classes to the cell oracle and anything else to the chest X-ray oracle", () => {
    const auto = makeOracleJudge('auto');
    const cell = renderCell({ label: 'lymphocyte', seed: 4 }).image;
    assert.equal(auto(cell, 'lymphocyte').plausible, true);
    const x = renderCxr({ seed: 12 });
    assert.deepEqual(auto(x.image, x.report), makeOracleJudge('cxr')(x.image, x.report));
    assert.ok(criteriaFor('cxr').includes('posture'));
  });
});

describe('simulated raters', () => {
  const imgs = images(2000);
  const truth = imgs.map((im) => evenIsPlausible(im, 'x'));
  it('without noise agree with the judge', () => {
    const rater = simulatedRater({ judge: evenIsPlausible, seed: 1 });
    imgs.forEach((im, i) => assert.deepEqual(rater(im, 'x'), truth[i]));
  });
  it('flip at the error rate', () => {
    const rater = simulatedRater({ judge: evenIsPlausible, errorRate: 0.2, seed: 3 });
    const flips = imgs.filter((im, i) => rater(im, 'x').plausible !== truth[i]!.plausible).length / imgs.length;
    assert.ok(Math.abs(flips - 0.2) < 0.03, `flip rate ${flips}`);
  });
  it('lean by their bias: towards plausible for bias > 0, implausible for bias < 0', () => {
    const lenient = simulatedRater({ judge: evenIsPlausible, bias: 0.5, seed: 5 });
    const implausibleTurned = imgs.filter((im, i) => !truth[i]!.plausible && lenient(im, 'x').plausible).length / (imgs.length / 2);
    assert.ok(Math.abs(implausibleTurned - 0.5) < 0.06, `${implausibleTurned}`);
    assert.ok(imgs.every((im, i) => !truth[i]!.plausible || lenient(im, 'x').plausible));
    const harsh = simulatedRater({ judge: evenIsPlausible, bias: -1, seed: 5, criteria: ['chromatin_pattern'] });
    for (const im of imgs.slice(0, 50)) {
      const v = harsh(im, 'x');
      assert.equal(v.plausible, false);
      assert.ok(v.failedCriteria.length >= 1);
    }
  });
  it('overlook criteria at the miss rate, and call an image plausible when every defect is missed', () => {
    const rater = simulatedRater({ judge: evenIsPlausible, criterionMissRate: 0.5, seed: 7 });
    let missedAll = 0;
    let bad = 0;
    imgs.forEach((im, i) => {
      if (truth[i]!.plausible) return;
      bad++;
      const v = rater(im, 'x');
      if (v.plausible) missedAll++;
      else for (const c of v.failedCriteria) assert.ok(truth[i]!.failedCriteria.includes(c));
    });
    assert.ok(Math.abs(missedAll / bad - 0.25) < 0.05, `${missedAll / bad}`);
    assert.equal(simulatedRater({ judge: evenIsPlausible, criterionMissRate: 1 })(imgs[1]!, 'x').plausible, true);
  });
  it('answer the same image the same way in any order, and differently per seed', () => {
    const a = simulatedRater({ judge: evenIsPlausible, errorRate: 0.3, seed: 11 });
    const forward = imgs.slice(0, 200).map((im) => a(im, 'x').plausible);
    const backward = imgs.slice(0, 200).reverse().map((im) => a(im, 'x').plausible).reverse();
    assert.deepEqual(forward, backward);
    const b = simulatedRater({ judge: evenIsPlausible, errorRate: 0.3, seed: 12 });
    assert.notDeepEqual(forward, imgs.slice(0, 200).map((im) => b(im, 'x').plausible));
    assert.notEqual(imageKey(imgs[0]!), imageKey(imgs[1]!));
  });
  it('reject rates outside [0, 1] (bias: [−1, 1]) with the option named', () => {
    assert.throws(() => simulatedRater({ judge: evenIsPlausible, errorRate: 1.5 }), /errorRate/);
    assert.throws(() => simulatedRater({ judge: evenIsPlausible, bias: -2 }), /bias/);
    assert.throws(() => simulatedRater({ judge: evenIsPlausible, criterionMissRate: -0.1 }), /criterionMissRate/);
  });
});
