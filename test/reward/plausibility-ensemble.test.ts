// The plausibility reward from an ensemble of reward models: mean − pessimism × sd across
// members, members saved beside the first and loaded back through the registry.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type TrainedPlausibilityModel, loadReward, plausibilityReward, savePlausibilityModel } from '../../src/reward/index.js';
import { loadPlausibilityEnsemble } from '../../src/reward/plausibility/model-file.js';
import { trainPlausibilityEnsemble } from '../../src/reward/plausibility/train.js';
import { ensembleScore } from '../../src/reward/rewards/plausibility.js';
import { CELL_CRITERIA, cellPool, rate, realCells } from '../../bench/reward-testbed.js';

const SIZE = 16;
const NET = { widths: [8, 16, 32] };
let members: TrainedPlausibilityModel[];
let dir: string;
const probe = cellPool(12, 31, { size: SIZE });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'medloop-ensemble-'));
  const rated = cellPool(80, 11, { size: SIZE }).map((it) => {
    const v = rate(it, { name: 'r1', errorRate: 0.05 }, 3);
    return { id: it.id, image: it.image, condition: it.condition, label: v.plausible ? 1 : 0, criteria: Object.fromEntries(v.failedCriteria.map((c) => [c, 1])), raters: 1 };
  });
  members = trainPlausibilityEnsemble({ rated, pairs: [], real: realCells(40, 5, SIZE) }, 3, { criteria: [...CELL_CRITERIA], imageSize: SIZE, net: NET, minSteps: 40, maxSteps: 40, seed: 4 });
});
after(() => {
  for (const m of members) m.net.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('ensembleScore is the mean minus pessimism times the population standard deviation', () => {
  // mean 0.4; sd = sqrt((0.04 + 0 + 0.04) / 3) = 0.163299…
  assert.ok(Math.abs(ensembleScore([0.2, 0.4, 0.6], 1) - (0.4 - Math.sqrt(0.08 / 3))) < 1e-12);
  assert.ok(Math.abs(ensembleScore([0.2, 0.4, 0.6], 2) - (0.4 - 2 * Math.sqrt(0.08 / 3))) < 1e-12);
  assert.ok(Math.abs(ensembleScore([0.2, 0.4, 0.6], 0) - 0.4) < 1e-12);
  assert.equal(ensembleScore([0.7], 3), 0.7);
});

test('an ensemble reward penalises disagreement: its score is below the members’ mean where they differ', async () => {
  const images = probe.map((p) => p.image);
  const conditions = probe.map((p) => p.condition);
  const each = await Promise.all(members.map(async (m) => (await plausibilityReward(m.net)(images, conditions)) as number[]));
  const mean = (await plausibilityReward(members.map((m) => m.net), 0)(images, conditions)) as number[];
  const pess = (await plausibilityReward(members.map((m) => m.net), 1)(images, conditions)) as number[];
  probe.forEach((_, i) => {
    const v = each.map((s) => s[i]!);
    assert.ok(Math.abs(mean[i]! - v.reduce((a, b) => a + b, 0) / 3) < 1e-6);
    assert.ok(Math.abs(pess[i]! - ensembleScore(v, 1)) < 1e-6);
  });
  assert.ok(probe.some((_, i) => pess[i]! < mean[i]! - 1e-4), 'members trained on different resamples disagree somewhere');
});

test('a saved ensemble loads back whole, and the registry’s plausibility reward scores it with the saved pessimism', async () => {
  const root = join(dir, 'rewards', 'plausibility');
  const saved = savePlausibilityModel(root, members, { study: 's' }, { pessimism: 0.5 });
  assert.deepEqual(saved.info.options.ensemble, { members: 3, pessimism: 0.5 });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.abs((saved.info.metrics as { rated: { auroc: number } }).rated.auroc - mean(members.map((m) => m.metrics.rated!.auroc))) < 1e-9, 'metrics are the members’ means');
  const loaded = loadPlausibilityEnsemble(root);
  assert.equal(loaded.nets.length, 3);
  const images = probe.map((p) => p.image);
  const conditions = probe.map((p) => p.condition);
  const expected = (await plausibilityReward(members.map((m) => m.net), 0.5)(images, conditions)) as number[];
  const viaRegistry = (await (await loadReward('plausibility', { workspace: dir }))(images, conditions)) as number[];
  expected.forEach((e, i) => assert.ok(Math.abs(viaRegistry[i]! - e) < 1e-6, `image ${i}: ${viaRegistry[i]} vs ${e}`));
  for (const n of loaded.nets) n.dispose();

  // a single model is a one-member ensemble with no penalty
  savePlausibilityModel(root, members[0]!);
  const single = loadPlausibilityEnsemble(root);
  assert.deepEqual([single.nets.length, single.scoring.pessimism], [1, 0]);
  for (const n of single.nets) n.dispose();

  // a member missing on disk is named, not silently dropped
  rmSync(join(saved.dir, 'members', '2'), { recursive: true });
  assert.throws(() => loadPlausibilityEnsemble(saved.dir), /ensemble of 3 but member 2 is missing/);
});
