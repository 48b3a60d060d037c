// The active-choice bench's --merge: curves of separate runs combined per arm and seed.
import assert from 'node:assert/strict';
import test from 'node:test';
import { type ActiveResult, mergeActiveResults } from '../../bench/active-merge.js';

const points = [50, 100];
const run = (seedList: number[], curve: Record<string, number[][]>): ActiveResult => ({
  points,
  seedList,
  // curve[arm][point].perSeed[k]: the value for seedList[k]
  curve: Object.fromEntries(Object.entries(curve).map(([arm, bySeed]) => [arm, points.map((_, i) => ({ perSeed: bySeed.map((c) => c[i]!) }))])),
  breakdowns: Object.fromEntries(Object.keys(curve).map((arm) => [arm, seedList.map((seed) => ({ seed, loss: { x: seed / 1e4 }, rated: { x: 1 } }))])),
});

test('merge: seeds from two runs and an arm from a third line up per seed', () => {
  const a = run([1, 2], { random: [[0.5, 0.6], [0.55, 0.65]], entropy: [[0.5, 0.7], [0.55, 0.75]] });
  const b = run([3], { random: [[0.4, 0.8]], entropy: [[0.4, 0.9]] });
  const c = run([1, 2, 3], { badge: [[0.5, 0.71], [0.55, 0.76], [0.4, 0.91]] });
  const m = mergeActiveResults([{ name: 'a', result: a }, { name: 'b', result: b }, { name: 'c', result: c }], ['random', 'entropy', 'badge'], points);
  assert.deepEqual(m.seedList, [1, 2, 3]);
  assert.deepEqual(m.curves.random, [
    [{ ratings: 50, auroc: 0.5 }, { ratings: 100, auroc: 0.6 }],
    [{ ratings: 50, auroc: 0.55 }, { ratings: 100, auroc: 0.65 }],
    [{ ratings: 50, auroc: 0.4 }, { ratings: 100, auroc: 0.8 }],
  ]);
  assert.deepEqual(m.curves.badge!.map((c) => c[1]!.auroc), [0.71, 0.76, 0.91]);
  assert.deepEqual(m.breakdowns.entropy!.map((x) => x.seed), [1, 2, 3]);
});

test('merge: the first run to have a seed keeps it; other points or a missing arm are refused, naming the run or the seed', () => {
  const a = run([1], { random: [[0.5, 0.6]] });
  const again = run([1], { random: [[0.1, 0.2]] });
  assert.deepEqual(mergeActiveResults([{ name: 'a', result: a }, { name: 'again', result: again }], ['random'], points).curves.random![0]!.map((p) => p.auroc), [0.5, 0.6]);
  assert.throws(() => mergeActiveResults([{ name: 'a', result: a }], ['random'], [50, 150]), /--merge: a has points 50,100, this run 50,150/);
  const b = run([2], { random: [[0.5, 0.6]], entropy: [[0.5, 0.7]] });
  assert.throws(() => mergeActiveResults([{ name: 'a', result: a }, { name: 'b', result: b }], ['random', 'entropy'], points), /no folder has arm 'entropy' for seed\(s\) 1/);
});
