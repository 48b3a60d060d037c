import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classAgreement } from '../../src/eval/metrics/class-agreement.js';

test('classAgreement: share of predictions equal to the intended class, per condition, unknown conditions left out', () => {
  const classes = ['a', 'b', 'c'];
  // intended a a b b c  + one report-text condition the classifier cannot judge
  const r = classAgreement([0, 1, 1, 1, 0, 2], ['a', 'a', 'b', 'b', 'c', 'a chest X-ray'], classes);
  assert.equal(r.total, 5);
  assert.equal(r.plausible, 3);
  assert.equal(r.rate.estimate, 0.6);
  assert.ok(r.rate.lo < 0.6 && r.rate.hi > 0.6);
  assert.deepEqual(Object.fromEntries(Object.entries(r.perCondition).map(([c, v]) => [c, [v.plausible, v.total]])), { a: [1, 2], b: [2, 2], c: [0, 1] });
  assert.throws(() => classAgreement([0], ['a', 'b'], classes), /1 predictions for 2 conditions/);
});
