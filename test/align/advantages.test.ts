import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PerConditionAdvantages } from '../../src/align/advantages.js';

const close = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6, `[${i}] ${v} vs ${b[i]}`));

test('per-condition advantages: batch statistics until minCount, then the condition’s buffer (hand-computed)', () => {
  const adv = new PerConditionAdvantages({ bufferSize: 4, minCount: 3, clip: 5 });
  // batch mean 3, population std √(8/3) = 1.632993; a and b have < 3 rewards: batch stats
  close(adv.update(['a', 'a', 'b'], [1, 3, 5]), [-1.2247441, 0, 1.2247441]);
  // a's buffer [1,3,5] (mean 3, std 1.632993); b's [5,100] < 3: batch (mean 52.5, std 47.5)
  close(adv.update(['a', 'b'], [5, 100]), [1.2247441, 0.9999999789]);
  // a's buffer [1,3,5,−100]: mean −22.75, std 44.62272
  close(adv.update(['a'], [-100]), [-1.7311807]);
  // the buffer keeps the last 4: [3,5,−100,1000], mean 227, std 448.3074
  close(adv.update(['a'], [1000]), [1.7242634]);
  assert.deepEqual(adv.stats().a!.count, 4);
});

test('advantages are clipped to ±clip', () => {
  const adv = new PerConditionAdvantages({ bufferSize: 4, minCount: 3, clip: 1.5 });
  adv.update(['a', 'a', 'a'], [1, 3, 5]);
  close(adv.update(['a'], [-100]), [-1.5]);
  close(adv.update(['a'], [1000]), [1.5]);
});

test('a restored tracker continues exactly like the original', () => {
  const a = new PerConditionAdvantages({ bufferSize: 5, minCount: 2 });
  a.update(['x', 'y', 'x'], [0.1, 0.7, 0.4]);
  const b = PerConditionAdvantages.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
  assert.deepEqual(b.update(['x', 'y', 'y'], [0.3, 0.9, 0.2]), a.update(['x', 'y', 'y'], [0.3, 0.9, 0.2]));
});

test('mismatched lengths are an error', () => {
  assert.throws(() => new PerConditionAdvantages().update(['a'], [1, 2]), /1 conditions but 2 rewards/);
});
