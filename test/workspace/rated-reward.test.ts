// DDPO's reward straight from ratings: each batch becomes a study rated through the real
// server, the reward is the share of "plausible" answers per image, and the same batch
// asked again reads the study it already has (no rating asked or counted twice).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Raster } from '../../src/data/raster.js';
import { type Tensor, tensor } from '../../src/engine/index.js';
import { FeedbackStore } from '../../src/feedback/index.js';
import { parseConfig } from '../../src/workspace/config.js';
import type { DemoContext, DemoData } from '../../src/workspace/demo/context.js';
import { batchKey, ratingsRewardTerm } from '../../src/workspace/demo/rated-reward.js';
import { initWorkspace } from '../../src/workspace/workspace.js';

const SIZE = 8;
/** A batch [B, 3, 8, 8] in [−1, 1]: image i is bright (+0.8) where bright[i], else dark (−0.8). */
function batch(bright: boolean[]): Tensor {
  const per = 3 * SIZE * SIZE;
  const data = new Float32Array(bright.length * per);
  bright.forEach((b, i) => data.fill(b ? 0.8 : -0.8, i * per, (i + 1) * per));
  return tensor(data, [bright.length, 3, SIZE, SIZE]);
}
// The truth the simulated raters stand on: a bright image is plausible.
const judge = (image: Raster) => {
  const mean = image.data.reduce((s, v) => s + v, 0) / image.data.length;
  return { plausible: mean > 0.5, failedCriteria: mean > 0.5 ? [] : ['cell_size'] };
};
const gold: Raster = { width: SIZE, height: SIZE, channels: 3, data: new Float32Array(3 * SIZE * SIZE).fill(0.9) };

function setup(study: Record<string, unknown>): { ctx: DemoContext; data: DemoData; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-rated-reward-'));
  const ws = initWorkspace(dir);
  const config = parseConfig({ study: { raters: 3, ratersPerItem: 3, goldRate: 0.1, bias: 0, ...study } });
  const ctx: DemoContext = { ws, config, quick: true, demoSize: 'quick', interactive: false, log: () => {}, silent: true };
  const data: DemoData = { path: dir, classes: ['a', 'b'], images: [gold, gold], conditions: ['a', 'b'], channels: 3, size: SIZE, judgeName: 'test-bright' };
  return { ctx, data, dir };
}

test('ratings reward: each image scores the share of its raters who said plausible, through a study per batch', async () => {
  const { ctx, data, dir } = setup({ errorRate: 0 });
  try {
    const { term, counter } = ratingsRewardTerm(ctx, data, judge, { dir: join(dir, 'ratings'), runId: 'ddpo-test', ratersPerSample: 2 });
    const bright = [true, false, false, true, true, false];
    const conditions = ['a', 'b', 'a', 'b', 'a', 'b'];
    const x = batch(bright);
    const r = await term.fn(x, conditions);
    assert.deepEqual(r, bright.map((b) => (b ? 1 : 0)));
    assert.deepEqual(counter, { studies: 1, ratings: 12 });
    const store = FeedbackStore.openWorkspace(dir);
    const study = store.listStudies().find((s) => s.name.startsWith('ddpo-test: batch'));
    assert.ok(study, 'the batch became a study in the workspace store');
    assert.equal(store.listAnswers(study.id, { includeGold: false }).length, 12);
    // gold items were mixed in and answered too, but are not rewards
    assert.ok(store.listAnswers(study.id).length > 12);
    const answeredBefore = store.listAnswers(study.id).length;
    store.close();

    // The same batch again (a restarted run): the answers already given, no new ones.
    const again = await term.fn(x, conditions);
    assert.deepEqual(again, r);
    const after = FeedbackStore.openWorkspace(dir);
    assert.equal(after.listStudies().filter((s) => s.name.startsWith('ddpo-test: batch')).length, 1);
    assert.equal(after.listAnswers(study.id).length, answeredBefore);
    after.close();

    // Another batch is another study.
    const y = batch([false, true]);
    assert.deepEqual(await term.fn(y, ['a', 'a']), [0, 1]);
    const last = FeedbackStore.openWorkspace(dir);
    assert.equal(last.listStudies().filter((s) => s.name.startsWith('ddpo-test: batch')).length, 2);
    last.close();
    for (const t of [x, y]) t.dispose();
  } finally {
    ctx.ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ratings reward: the reward is what the raters say, not the truth (raters who lean to plausible pass everything)', async () => {
  const { ctx, data, dir } = setup({ errorRate: 0, bias: 1 });
  try {
    const { term } = ratingsRewardTerm(ctx, data, judge, { dir: join(dir, 'ratings'), runId: 'ddpo-err', ratersPerSample: 1 });
    const x = batch([true, false, true, false]);
    assert.deepEqual(await term.fn(x, ['a', 'b', 'b', 'a']), [1, 1, 1, 1]);
    x.dispose();
  } finally {
    ctx.ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('batchKey: the same images and conditions give the same key; a changed pixel or condition another', () => {
  const im = (v: number): Raster => ({ width: 2, height: 2, channels: 1, data: new Float32Array(4).fill(v) });
  const k = batchKey([im(0.2), im(0.7)], ['a', 'b']);
  assert.equal(batchKey([im(0.2), im(0.7)], ['a', 'b']), k);
  assert.notEqual(batchKey([im(0.2), im(0.7)], ['b', 'b']), k);
  assert.notEqual(batchKey([im(0.2), im(0.8)], ['a', 'b']), k);
  assert.match(k, /^[0-9a-f]{12}$/);
});
