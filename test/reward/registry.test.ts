import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRaster } from '../../src/data/raster.js';
import { undisposedTensorCount, tensor } from '../../src/engine/index.js';
import {
  AnchorScoreCache,
  RewardConfigError,
  auroc,
  aurocLossByGroup,
  binaryScores,
  combineRewards,
  comparativeReward,
  comparativeScores,
  expectedCalibrationError,
  getRewardSpec,
  listRewards,
  loadReward,
  loadRewards,
  parseRewardWeights,
  toModelInput,
  toRasters,
  type RewardFn,
} from '../../src/reward/index.js';

test('every built-in reward is registered', () => {
  const names = listRewards().map((r) => r.name);
  for (const n of ['plausibility', 'classifier', 'posture', 'diagnostic', 'consistency', 'compressibility', 'oracle']) assert.ok(names.includes(n), n);
  assert.equal(getRewardSpec('oracle').evaluationOnly, true);
  assert.equal(getRewardSpec('plausibility').evaluationOnly, false);
});

test('parseRewardWeights reads name:weight lists and names what is wrong', () => {
  assert.deepEqual(parseRewardWeights('plausibility:1, posture:0.5,consistency'), [
    { name: 'plausibility', weight: 1 },
    { name: 'posture', weight: 0.5 },
    { name: 'consistency', weight: 1 },
  ]);
  assert.deepEqual(parseRewardWeights('diagnostic:-2e-1'), [{ name: 'diagnostic', weight: -0.2 }]);
  assert.throws(() => parseRewardWeights('nosuch:1'), (e: Error) => e instanceof RewardConfigError && /unknown reward 'nosuch'/.test(e.message));
  assert.throws(() => parseRewardWeights('posture:abc'), /cannot read 'posture:abc'/);
  assert.throws(() => parseRewardWeights('posture,posture:2'), /appears twice/);
  assert.throws(() => parseRewardWeights(' , '), /names no reward/);
});

test('combined rewards are the weighted sum and report every part', async () => {
  const a: RewardFn = (_x, c) => c.map((_, i) => i);
  const b: RewardFn = async (_x, c) => c.map(() => 10);
  const r = combineRewards([
    { name: 'a', weight: 2, fn: a },
    { name: 'b', weight: 0.5, fn: b },
  ]);
  const imgs = [createRaster(4, 4, 1), createRaster(4, 4, 1), createRaster(4, 4, 1)];
  assert.deepEqual(await r(imgs, ['x', 'y', 'z']), [5, 7, 9]);
  const s = await r.score(imgs, ['x', 'y', 'z']);
  assert.deepEqual(s.byName, { a: [0, 1, 2], b: [10, 10, 10] });
});

test('oracle rewards are refused for optimisation but load for evaluation', async () => {
  const oracle = () => ({ plausible: true, failedCriteria: [] });
  await assert.rejects(loadRewards('oracle:1', { oracle }), /evaluation only/);
  const r = await loadReward('oracle', { oracle }, { allowEvaluationOnly: true });
  assert.deepEqual(await r([createRaster(2, 2, 3)], ['x']), [1]);
  await assert.rejects(loadRewards('plausibility', {}), /needs a trained model/);
});

test('compressibility prefers a flat image to noise', async () => {
  const r = await loadReward('compressibility', {});
  const flat = createRaster(32, 32, 1, 0.5);
  const noisy = createRaster(32, 32, 1);
  for (let i = 0; i < noisy.data.length; i++) noisy.data[i] = (Math.sin(i * 12.9898) * 43758.5453) % 1 < 0 ? 0.1 : 0.9;
  const [f, n] = (await r([flat, noisy], ['a', 'a'])) as [number, number];
  assert.ok(f > n, `flat ${f} noisy ${n}`);
});

test('comparative scores are s(x, c) − s(anchor, c), and anchors are scored once per key', async () => {
  const mean: RewardFn = (imgs) => toRasters(imgs).map((r) => r.data.reduce((a, b) => a + b, 0) / r.data.length);
  const x = [createRaster(2, 2, 1, 0.75), createRaster(2, 2, 1, 0.25)];
  const anchor = [createRaster(2, 2, 1, 0.5), createRaster(2, 2, 1, 0.5)];
  assert.deepEqual(await comparativeScores(mean, x, anchor, ['a', 'b']), [0.25, -0.25]);
  const rel = comparativeReward(mean, () => anchor);
  assert.deepEqual(await rel(x, ['a', 'b']), [0.25, -0.25]);
  let calls = 0;
  const counted: RewardFn = (imgs, c) => {
    calls++;
    return mean(imgs, c);
  };
  const cache = new AnchorScoreCache(counted);
  await cache.relative(x, ['a', 'b'], ['a#1', 'b#1'], () => anchor);
  await cache.relative(x, ['a', 'b'], ['a#1', 'b#1'], () => anchor);
  assert.equal(cache.size, 2);
  assert.equal(calls, 3, 'two image scorings + one anchor scoring');
  await assert.rejects(comparativeScores(mean, x, [anchor[0]!], ['a', 'b']), /2 images but 1 anchor/);
});

test('a [-1, 1] tensor batch and the same rasters give the same model input', () => {
  const before = undisposedTensorCount();
  const r = createRaster(8, 8, 3);
  for (let i = 0; i < r.data.length; i++) r.data[i] = (i % 7) / 7;
  const fromRaster = toModelInput([r], { channels: 1, size: 4 });
  const nchw = new Float32Array(3 * 64);
  for (let p = 0; p < 64; p++) for (let c = 0; c < 3; c++) nchw[c * 64 + p] = r.data[p * 3 + c]! * 2 - 1;
  const t = tensor(nchw, [1, 3, 8, 8]);
  const fromTensor = toModelInput(t, { channels: 1, size: 8 });
  const again = toRasters(t)[0]!;
  assert.ok(Math.max(...again.data.map((v, i) => Math.abs(v - r.data[i]!))) < 1e-5);
  assert.deepEqual(fromRaster.shape, [1, 1, 4, 4]);
  const grey = fromTensor.toFloat32Array();
  assert.ok(Math.abs(grey[0]! - (0.299 * r.data[0]! + 0.587 * r.data[1]! + 0.114 * r.data[2]!)) < 1e-5);
  for (const x of [fromRaster, t, fromTensor]) x.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('AUROC, calibration error and scores match hand-computed values', () => {
  assert.equal(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  assert.equal(auroc([0.5, 0.5], [0, 1]), 0.5);
  assert.ok(Number.isNaN(auroc([0.1, 0.2], [1, 1])));
  // Two bins: {0.1, 0.15} observed 0 of 2; {0.9, 0.95} observed 2 of 2.
  assert.ok(Math.abs(expectedCalibrationError([0.1, 0.15, 0.9, 0.95], [0, 0, 1, 1]) - (0.5 * 0.125 + 0.5 * 0.075)) < 1e-12);
  const s = binaryScores([0.9, 0.8, 0.3, 0.6], [1, 1, 0, 0]);
  assert.equal(s.accuracy, 0.75);
  assert.equal(s.auroc, 1);
  assert.equal(s.positives, 2);
});

test('AUROC loss by group charges each misordered pair to its negative and sums to 1 − AUROC', () => {
  // Positives 0.3, 0.7; negative "a" at 0.5 beats one positive, "b" at 0.7 ties one and beats one, "c" at 0.1 beats none.
  const loss = aurocLossByGroup([0.3, 0.7, 0.5, 0.7, 0.1], [1, 1, 0, 0, 0], ['ok', 'ok', 'a', 'b', 'c']);
  assert.ok(Math.abs(loss.get('a')! - 1 / 6) < 1e-12);
  assert.ok(Math.abs(loss.get('b')! - 1.5 / 6) < 1e-12);
  assert.equal(loss.get('c'), 0);
  assert.equal(loss.get('ok'), undefined, 'positives are never charged');
  // On random data the shares add up to 1 − AUROC.
  let r = 7;
  const rand = () => ((r = (r * 48271) % 2147483647) / 2147483647);
  const scores = Array.from({ length: 200 }, () => Math.round(rand() * 20) / 20);
  const pos = scores.map((x) => rand() < 0.3 + 0.4 * x);
  const groups = scores.map(() => ['x', 'y', 'z'][Math.floor(rand() * 3)]!);
  const total = [...aurocLossByGroup(scores, pos, groups).values()].reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - (1 - auroc(scores, pos))) < 1e-9, `${total} vs ${1 - auroc(scores, pos)}`);
  assert.throws(() => aurocLossByGroup([0.1], [1, 0], ['a']), /1 scores, 2 labels, 1 groups/);
});
