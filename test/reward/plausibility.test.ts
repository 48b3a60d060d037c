import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { rastersToNCHW } from '../../src/data/nchw.js';
import { tensor } from '../../src/engine/index.js';
import type { AnswerRecord, ImageRecord } from '../../src/feedback/index.js';
import {
  type TrainedPlausibilityModel,
  auroc,
  classifierReward,
  loadPlausibilityModel,
  loadReward,
  plausibilityReward,
  ratingsFromAnswers,
  savePlausibilityModel,
  trainClassifierReward,
  trainPlausibilityModel,
} from '../../src/reward/index.js';
import { CELL_CLASSES, CELL_CRITERIA, cellPool, rate, realCells, renderCell } from '../../bench/reward-testbed.js';

const SIZE = 16;
const NET = { widths: [8, 16, 32] };
let trained: TrainedPlausibilityModel;
let dir: string;
const test_ = cellPool(200, 77, { size: SIZE });
const real = realCells(80, 5, SIZE);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'medloop-reward-'));
  const rater = { name: 'r1', errorRate: 0.05 };
  const rated = cellPool(200, 11, { size: SIZE }).map((it) => {
    const v = rate(it, rater, 3);
    return { id: it.id, image: it.image, condition: it.condition, label: v.plausible ? 1 : 0, criteria: Object.fromEntries(v.failedCriteria.map((c) => [c, 1])), raters: 1 };
  });
  // The default step budget (epochs over the data): a fixed 150 steps left some seeds under-trained.
  trained = trainPlausibilityModel({ rated, pairs: [], real }, { criteria: [...CELL_CRITERIA], imageSize: SIZE, net: NET, augment: 'dihedral', seed: 1 });
});
after(() => {
  trained.net.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('the reward model learns the oracle from ratings: held-out AUROC well above chance, metrics reported', async () => {
  const r = plausibilityReward(trained.net);
  const p = (await r(
    test_.map((t) => t.image),
    test_.map((t) => t.condition),
  )) as number[];
  const a = auroc(
    p,
    test_.map((t) => t.plausible),
  );
  assert.ok(a > 0.75, `oracle AUROC ${a}`);
  const m = trained.metrics;
  assert.ok(m.rated && m.rated.count === 40 && Number.isFinite(m.rated.auroc) && m.rated.ece >= 0 && m.rated.ece <= 1);
  assert.ok(m.wrongClass && m.wrongClass.count === 32, 'held-out real images, each with its true and a wrong class');
});

test('a wrong class lowers plausibility', async () => {
  const r = plausibilityReward(trained.net);
  const imgs = realCells(40, 123, SIZE);
  const right = (await r(
    imgs.map((x) => x.image),
    imgs.map((x) => x.condition),
  )) as number[];
  const wrong = (await r(
    imgs.map((x) => x.image),
    imgs.map((x) => CELL_CLASSES[(CELL_CLASSES.indexOf(x.condition as never) + 1) % CELL_CLASSES.length]!),
  )) as number[];
  const lower = right.filter((v, i) => wrong[i]! < v).length;
  assert.ok(lower >= 34, `${lower}/40 lower under the wrong class`);
});

test('saved versions load back with identical scores, also through the registry and from a [-1, 1] tensor', async () => {
  const root = join(dir, 'rewards', 'plausibility');
  const v1 = savePlausibilityModel(root, trained, { study: 's' });
  const v2 = savePlausibilityModel(root, trained);
  assert.deepEqual([v1.info.version, v2.info.version], [1, 2]);
  const info = JSON.parse(readFileSync(join(v1.dir, 'reward-model.json'), 'utf8'));
  assert.equal(info.data.ratedImages, 200);
  assert.ok(info.metrics.rated.auroc > 0);
  const loaded = loadPlausibilityModel(root);
  assert.equal(loaded.info.version, 2);
  const imgs = test_.slice(0, 8);
  const a = (await plausibilityReward(trained.net)(
    imgs.map((t) => t.image),
    imgs.map((t) => t.condition),
  )) as number[];
  const viaRegistry = await loadReward('plausibility', { workspace: dir });
  const b = (await viaRegistry(
    imgs.map((t) => t.image),
    imgs.map((t) => t.condition),
  )) as number[];
  const nchw = rastersToNCHW(
    imgs.map((t) => t.image),
    { channels: 3, range: [-1, 1] },
  );
  const x = tensor(nchw.data, nchw.shape);
  const c = (await viaRegistry(
    x,
    imgs.map((t) => t.condition),
  )) as number[];
  x.dispose();
  a.forEach((v, i) => {
    assert.ok(Math.abs(v - b[i]!) < 1e-5);
    assert.ok(Math.abs(v - c[i]!) < 1e-4);
  });
  loaded.net.dispose();
  await assert.rejects(async () => viaRegistry([imgs[0]!.image], ['not-a-cell']), /does not know condition 'not-a-cell'/);
});

test('pairwise answers alone train the score by Bradley–Terry', () => {
  const pairs = Array.from({ length: 160 }, (_, i) => {
    const cls = CELL_CLASSES[i % 4]!;
    const good = renderCell({ cls, seed: 1000 + i }, SIZE);
    const bad = renderCell({ cls, seed: 5000 + i, defect: { criterion: CELL_CRITERIA[i % 4]!, severity: 0.9 } }, SIZE);
    // Alternate sides so position carries no signal.
    return i % 2 ? { id: String(i), a: good, b: bad, condition: cls, preferA: 1, raters: 1 } : { id: String(i), a: bad, b: good, condition: cls, preferA: 0, raters: 1 };
  });
  const m = trainPlausibilityModel({ rated: [], pairs, real: [] }, { imageSize: SIZE, net: NET, minSteps: 80, maxSteps: 80, seed: 2 });
  assert.ok(m.metrics.pairs && m.metrics.pairs.count === 32);
  assert.ok(m.metrics.pairs.accuracy >= 0.8, `held-out pair accuracy ${m.metrics.pairs.accuracy}`);
  m.net.dispose();
});

test('the classifier reward is lower for a wrong class', async () => {
  const model = trainClassifierReward(realCells(160, 9, SIZE), { imageSize: SIZE, epochs: 4, batchSize: 32, config: { widths: [8, 16, 32] } });
  const r = classifierReward(model);
  const imgs = realCells(24, 321, SIZE);
  const right = (await r(
    imgs.map((x) => x.image),
    imgs.map((x) => x.condition),
  )) as number[];
  const wrong = (await r(
    imgs.map((x) => x.image),
    imgs.map((x) => CELL_CLASSES[(CELL_CLASSES.indexOf(x.condition as never) + 2) % 4]!),
  )) as number[];
  assert.ok(right.filter((v, i) => v > wrong[i]!).length >= 20);
  model.net.dispose();
});

test('ratings aggregate per image (soft or majority) and per pair, gold answers left out', () => {
  const img = (id: number): ImageRecord => ({ id, studyId: 1, condition: 'x', path: null, sha256: '', width: 2, height: 2, source: 'synthetic', provenance: {} });
  const base = { studyName: 's', raterName: 'r', simulated: true, assignmentPublicId: 'a', swapped: false, goldAnswer: null, correct: null, winnerImageId: null, idempotencyKey: 'k', assignmentId: 1, studyId: 1, itemId: 1, comment: '', timeMs: null, createdAt: '', retractedAt: null, id: 0 };
  const bin = (image: number, choice: 'plausible' | 'implausible', raterId: number, failed: string[] = [], isGold = false) =>
    ({ ...base, mode: 'binary', condition: 'x', images: [img(image)], choice, winner: null, failedCriteria: failed, raterId, isGold }) as AnswerRecord;
  const pair = (winner: 'a' | 'b' | 'tie', raterId: number) => ({ ...base, mode: 'pairwise', condition: 'x', images: [img(7), img(8)], choice: 'left', winner, failedCriteria: [], raterId, isGold: false }) as AnswerRecord;
  const answers = [
    bin(1, 'plausible', 1),
    bin(1, 'plausible', 2),
    bin(1, 'implausible', 3, ['granules']),
    bin(2, 'implausible', 1, ['granules', 'cell_size']),
    bin(3, 'plausible', 1, [], true),
    pair('a', 1),
    pair('tie', 2),
    pair('b', 3),
    pair('a', 4),
  ];
  const raster = { width: 2, height: 2, channels: 3 as const, data: new Float32Array(12) };
  const soft = ratingsFromAnswers(answers, () => raster);
  assert.equal(soft.rated.length, 2, 'the gold item is not training data');
  const one = soft.rated.find((r) => r.id === '1')!;
  assert.ok(Math.abs(one.label - 2 / 3) < 1e-12);
  assert.ok(Math.abs(one.criteria.granules! - 1 / 3) < 1e-12);
  assert.deepEqual(soft.rated.find((r) => r.id === '2')!.criteria, { granules: 1, cell_size: 1 });
  assert.equal(soft.pairs.length, 1);
  assert.equal(soft.pairs[0]!.preferA, 2.5 / 4);
  assert.equal(soft.summary.goldAnswersExcluded, 1);
  const majority = ratingsFromAnswers(answers, () => raster, { labels: 'majority' });
  assert.equal(majority.rated.find((r) => r.id === '1')!.label, 1);
  assert.equal(majority.pairs[0]!.preferA, 1);
});
