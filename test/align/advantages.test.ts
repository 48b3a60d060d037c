import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PerConditionAdvantages } from '../../src/align/advantages.js';
import { drawBalancedConditions } from '../../src/align/ddpo.js';
import { Generator } from '../../src/engine/index.js';

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

test("'condition-batch' fallback normalises each condition against its own samples until minCount (hand-computed)", () => {
  const adv = new PerConditionAdvantages({ bufferSize: 8, minCount: 4, clip: 5, fallback: 'condition-batch' });
  // a: [0, 1] → mean 0.5, std 0.5; b: [5, 5] → std 0, advantages 0; c has one sample: whole batch (mean 3, std 2.0976177)
  close(adv.update(['a', 'a', 'b', 'b', 'c'], [0, 1, 5, 5, 4]), [-0.5 / 0.500001, 0.5 / 0.500001, 0, 0, 1 / 2.0976187]);
  // with the whole-batch fallback the easy condition b is pushed up and a down, whatever their quality
  const batch = new PerConditionAdvantages({ bufferSize: 8, minCount: 4, clip: 5, fallback: 'batch' }).update(['a', 'a', 'b', 'b'], [0, 1, 5, 5]);
  assert.ok(batch[2]! > 0.9 && batch[0]! < -0.9 && batch[1]! < -0.5);
  // once a has minCount rewards its buffer decides: [0, 1, 2, 3] → mean 1.5, std 1.118034
  close(adv.update(['a', 'a'], [2, 3]), [0.5 / 1.118035, 1.5 / 1.118035]);
});

test('balanced condition draws: every condition ⌊n/k⌋ or ⌈n/k⌉ times, in a seeded random order', () => {
  const choices = ['a', 'b', 'c'];
  for (const n of [3, 10, 48]) {
    const drawn = drawBalancedConditions(choices, n, new Generator(7));
    assert.equal(drawn.length, n);
    const counts = choices.map((c) => drawn.filter((d) => d === c).length);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `n=${n}: counts ${counts}`);
  }
  assert.deepEqual(drawBalancedConditions(choices, 10, new Generator(7)), drawBalancedConditions(choices, 10, new Generator(7)));
  const orders = new Set(Array.from({ length: 6 }, (_, s) => drawBalancedConditions(choices, 12, new Generator(s)).join('')));
  assert.ok(orders.size > 1, 'the order depends on the seed');
  assert.throws(() => drawBalancedConditions([], 4, new Generator(1)), /at least one condition/);
});
