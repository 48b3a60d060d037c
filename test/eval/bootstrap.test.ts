import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapCi, bootstrapMeanCi } from '../../src/eval/bootstrap.js';
import { plausibilityRate, wilsonInterval } from '../../src/eval/metrics/plausibility.js';
import { seededRandom, normal } from '../../src/data/random.js';

const random = seededRandom(42);
const values = Array.from({ length: 400 }, () => 3 + 2 * normal(random));

test('a bootstrap interval of the mean contains the estimate, has the right width and repeats per seed', () => {
  const ci = bootstrapMeanCi(values, { seed: 1, resamples: 2000 });
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(Math.abs(ci.estimate - mean) < 1e-12);
  assert.ok(ci.lo < ci.estimate && ci.estimate < ci.hi);
  // Normal theory: half-width ≈ 1.96 σ/√n = 0.196 (σ = 2, n = 400).
  assert.ok(Math.abs((ci.hi - ci.lo) / 2 - 0.196) < 0.03, `half-width ${(ci.hi - ci.lo) / 2}`);
  assert.deepEqual(bootstrapMeanCi(values, { seed: 1, resamples: 2000 }), ci);
  assert.notDeepEqual(bootstrapMeanCi(values, { seed: 2, resamples: 2000 }), ci);
});

test('bootstrap over two samples, basic and bias-corrected methods', () => {
  const a = values.slice(0, 200);
  const b = values.slice(200).map((v) => v + 1);
  const diff = (ia: Int32Array, ib: Int32Array) => {
    let sa = 0;
    let sb = 0;
    for (const i of ia) sa += a[i]!;
    for (const i of ib) sb += b[i]!;
    return sb / ib.length - sa / ia.length;
  };
  for (const method of ['percentile', 'basic', 'bc'] as const) {
    const ci = bootstrapCi([a.length, b.length], diff, { seed: 3, resamples: 1000, method });
    assert.ok(ci.lo < ci.estimate && ci.estimate < ci.hi, `${method}: [${ci.lo}, ${ci.hi}] ∌ ${ci.estimate}`);
    assert.ok(ci.lo > 0.2 && ci.hi < 1.8, `${method}: [${ci.lo}, ${ci.hi}]`);
  }
});

test('Wilson interval matches the textbook value and plausibility groups by condition', () => {
  const w = wilsonInterval(8, 10);
  assert.ok(Math.abs(w.lo - 0.4902) < 1e-4 && Math.abs(w.hi - 0.9433) < 1e-4, `[${w.lo}, ${w.hi}]`);
  const zero = wilsonInterval(0, 20);
  assert.equal(zero.lo, 0);
  assert.ok(zero.hi > 0.1 && zero.hi < 0.2);
  const r = plausibilityRate([
    { plausible: true, condition: 'b' },
    { plausible: false, condition: 'b' },
    { plausible: true, condition: 'a' },
    { plausible: true, condition: 'a' },
  ]);
  assert.equal(r.rate.estimate, 0.75);
  assert.deepEqual(Object.keys(r.perCondition), ['a', 'b']);
  assert.equal(r.perCondition.b!.rate.estimate, 0.5);
  assert.equal(plausibilityRate([true, false, false, false]).rate.estimate, 0.25);
});
