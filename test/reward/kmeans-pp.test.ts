import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../src/data/random.js';
import { kMeansPlusPlus } from '../../src/reward/kmeans-pp.js';

const rowsOf = (points: number[][]) => Float32Array.from(points.flat());

test('k-means++ starts at the longest row and covers every cluster before repeating one', () => {
  // Three tight clusters of five, far apart; the longest row is in the cluster around (10, 10).
  const points: number[][] = [];
  for (const [cx, cy] of [
    [0, 1],
    [10, 10],
    [-8, 3],
  ])
    for (let i = 0; i < 5; i++) points.push([cx! - 0.01 * i, cy! - 0.01 * i]);
  const rows = rowsOf(points);
  for (let seed = 0; seed < 10; seed++) {
    const picked = kMeansPlusPlus(rows, 2, 3, seededRandom(seed));
    assert.equal(picked[0], 5, 'the longest row first');
    assert.deepEqual(new Set(picked.map((i) => Math.floor(i / 5))), new Set([0, 1, 2]), `seed ${seed}: ${picked}`);
  }
  // All 15 when asked for more; never one twice.
  const all = kMeansPlusPlus(rows, 2, 20, seededRandom(3));
  assert.deepEqual([...all].sort((a, b) => a - b), [...Array(15).keys()]);
});

test('k-means++ draws ∝ squared distance to the nearest pick', () => {
  // From the first pick at (3, 0), rows at distance 1 and 2 (D² 1 and 4): the far one 4 times as often.
  const rows = rowsOf([
    [3, 0],
    [2, 0],
    [1, 0],
  ]);
  const random = seededRandom(11);
  let far = 0;
  const trials = 4000;
  for (let t = 0; t < trials; t++) if (kMeansPlusPlus(rows, 2, 2, random)[1] === 2) far++;
  assert.ok(Math.abs(far / trials - 0.8) < 0.025, `far share ${far / trials}`);
});

test('k-means++ with duplicates only still returns distinct rows, and rejects a ragged array', () => {
  const rows = rowsOf([
    [1, 1],
    [1, 1],
    [1, 1],
  ]);
  assert.equal(new Set(kMeansPlusPlus(rows, 2, 3, seededRandom(1))).size, 3);
  assert.deepEqual(kMeansPlusPlus(rows, 2, 0, seededRandom(1)), []);
  assert.throws(() => kMeansPlusPlus(Float32Array.from([1, 2, 3]), 2, 1, seededRandom(1)), /not rows of 2/);
});
