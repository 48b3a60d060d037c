import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sideEffects, sideEffectsIfMeasured } from '../../src/eval/side-effects.js';

test('side effects: diversity holds when recall or MS-SSIM stays within 10%, and is lost when both move past it', () => {
  // ratings-rewarded DDPO, seed 3 (measured): recall 1.00 → 0.77, MS-SSIM 0.523 → 0.680
  const seed3 = sideEffects({ recall: 1, msSsim: 0.523, fid: 17.8 }, { recall: 0.77, msSsim: 0.68, fid: 0.35 }, { noiseFloorFid: 0.5 });
  assert.equal(seed3.diversityHeld, false);
  assert.equal(seed3.fidelityHeld, true);
  assert.ok(Math.abs(seed3.recallChange - -0.23) < 1e-12);
  assert.ok(Math.abs(seed3.msSsimChange - (0.68 - 0.523) / 0.523) < 1e-12);
  assert.match(seed3.message, /^diversity lost .*recall 1\.00 → 0\.77 \(−23%\), within-class MS-SSIM 0\.523 → 0\.680 \(\+30%\)/);
  // either figure within the tolerance is enough (the bar: "MS-SSIM or recall")
  assert.equal(sideEffects({ recall: 1, msSsim: 0.5, fid: 1 }, { recall: 0.5, msSsim: 0.54, fid: 1 }).diversityHeld, true);
  assert.equal(sideEffects({ recall: 1, msSsim: 0.5, fid: 1 }, { recall: 0.9, msSsim: 0.9, fid: 1 }).diversityHeld, true);
  assert.equal(sideEffects({ recall: 1, msSsim: 0.5, fid: 1 }, { recall: 0.89, msSsim: 0.56, fid: 1 }).diversityHeld, false);
  // a looser tolerance lets the same change pass
  assert.equal(sideEffects({ recall: 1, msSsim: 0.523, fid: 1 }, { recall: 0.77, msSsim: 0.68, fid: 1 }, { tolerance: 0.25 }).diversityHeld, true);
});

test('side effects: fidelity is lost only when FID rises past both the tolerance and the noise floor', () => {
  // seed 2 (measured): every background turned yellow, FID 9.03 → 26.6, recall 1.00 → 1.00
  const seed2 = sideEffects({ recall: 1, msSsim: 0.522, fid: 9.03 }, { recall: 1, msSsim: 0.615, fid: 26.6 }, { noiseFloorFid: 0.6 });
  assert.equal(seed2.fidelityHeld, false);
  assert.equal(seed2.diversityHeld, true);
  assert.match(seed2.message, /^fidelity lost .*FID 9\.03 → 26\.6/);
  // +50% but under the noise floor: the estimator's noise on a few hundred samples, not a loss
  assert.equal(sideEffects({ recall: 1, msSsim: 0.5, fid: 0.2 }, { recall: 1, msSsim: 0.5, fid: 0.3 }, { noiseFloorFid: 0.5 }).fidelityHeld, true);
  // past the floor but within 10%
  assert.equal(sideEffects({ recall: 1, msSsim: 0.5, fid: 10 }, { recall: 1, msSsim: 0.5, fid: 10.9 }, { noiseFloorFid: 0.5 }).fidelityHeld, true);
  assert.equal(sideEffects({ recall: 1, msSsim: 0.5, fid: 10 }, { recall: 1, msSsim: 0.5, fid: 11.1 }, { noiseFloorFid: 0.5 }).fidelityHeld, false);
  const both = sideEffects({ recall: 1, msSsim: 0.5, fid: 2 }, { recall: 0.5, msSsim: 0.9, fid: 9 });
  assert.match(both.message, /^diversity lost .*; fidelity lost .*Look at the samples/);
  assert.match(sideEffects({ recall: 1, msSsim: 0.5, fid: 2 }, { recall: 1, msSsim: 0.5, fid: 1 }).message, /^diversity and fidelity held: /);
});

test('side effects: a missing or negative figure is refused by name', () => {
  assert.throws(() => sideEffects({ recall: 1, msSsim: 0.5, fid: 2 }, { recall: NaN, msSsim: 0.5, fid: 1 }), /aligned recall is NaN/);
  // an evaluation that could not measure a figure reports no verdict instead of failing
  assert.equal(sideEffectsIfMeasured({ recall: 1, msSsim: NaN, fid: 2 }, { recall: 1, msSsim: 0.5, fid: 1 }), null);
  assert.equal(sideEffectsIfMeasured({ recall: 1, msSsim: 0.5, fid: 2 }, { recall: 1, msSsim: 0.5, fid: 1 })?.fidelityHeld, true);
  assert.throws(() => sideEffects({ recall: 1, msSsim: -1, fid: 2 }, { recall: 1, msSsim: 0.5, fid: 1 }), /baseline MS-SSIM is -1/);
  assert.throws(() => sideEffects({ recall: 1, msSsim: 0.5, fid: 2 }, { recall: 1, msSsim: 0.5, fid: 1 }, { tolerance: -0.1 }), /tolerance/);
  // a zero baseline: no change is 0, any rise is unbounded
  assert.equal(sideEffects({ recall: 0, msSsim: 0.5, fid: 0 }, { recall: 0, msSsim: 0.5, fid: 0 }).recallChange, 0);
  assert.equal(sideEffects({ recall: 1, msSsim: 0.5, fid: 0 }, { recall: 1, msSsim: 0.5, fid: 3 }).fidChange, Infinity);
});
