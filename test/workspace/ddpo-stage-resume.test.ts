// The demo's DDPO stage rewarded by ratings, killed while its third batch was being rated:
// the next attempt resumes the same run from its last checkpoint, samples the same third
// batch again (exact resume), rates on in the study it left, and asks nothing twice.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Raster } from '../../src/data/raster.js';
import { listCheckpoints } from '../../src/engine/index.js';
import { FeedbackStore } from '../../src/feedback/index.js';
import { runDdpoStage } from '../../src/workspace/demo/align-stage.js';
import { bright, ddpoStageFixture } from './ddpo-stage-fixture.js';

test('DDPO stage on ratings: a killed run resumes its own run and rates each batch once', async () => {
  const { dir, ctx, data, baseline, close } = ddpoStageFixture('ddpo-resume');
  try {
    // The first attempt dies while its third batch is being rated (two answers in).
    const probe = FeedbackStore.openWorkspace(dir);
    const runFile = join(dir, 'stages', 'align-ddpo.run');
    const studiesOf = (store: FeedbackStore, runId: string) => store.listStudies().filter((s) => s.name.startsWith(`${runId}: batch `));
    let inThird = 0;
    const dying = (image: Raster) => {
      if (studiesOf(probe, readFileSync(runFile, 'utf8').trim()).length === 3 && ++inThird > 2) throw new Error('killed');
      return { plausible: bright(image), failedCriteria: [] };
    };
    await assert.rejects(runDdpoStage(ctx, data, dying, baseline), /killed/);
    probe.close();
    const runId = readFileSync(runFile, 'utf8').trim();

    const store = FeedbackStore.openWorkspace(dir);
    const ours = () => studiesOf(store, runId);
    assert.equal(ours().length, 3, 'two batches rated, the third begun');
    const answeredBefore = ours().map((s) => store.listAnswers(s.id, { includeGold: false }).length);
    assert.deepEqual(answeredBefore.slice(0, 2), [6, 6]);
    assert.ok(answeredBefore[2]! < 6);
    const allBefore = ours().reduce((n, s) => n + store.listAnswers(s.id).length, 0);

    // The next attempt: the same run, the same third batch, nothing asked twice.
    const checkpoints = join(dir, 'runs', runId, 'checkpoints');
    const kept = listCheckpoints(checkpoints).map((c) => [c.step, statSync(c.dir).mtimeMs] as const);
    assert.deepEqual(kept.map(([step]) => step).sort(), [1, 2], 'the killed attempt checkpointed after each rated batch');
    let judgedAgain = 0;
    const result = await runDdpoStage(ctx, data, (image) => (judgedAgain++, { plausible: bright(image), failedCriteria: [] }), baseline);
    assert.equal(result.runId, runId);
    // resumed from iteration 2, not retrained from the start: its checkpoints were not rewritten
    for (const [step, mtime] of kept) assert.equal(statSync(listCheckpoints(checkpoints).find((c) => c.step === step)!.dir).mtimeMs, mtime);
    assert.equal(ours().length, 4, 'the resumed run sampled the killed run’s third batch again, and one more');
    for (const s of ours()) assert.equal(store.listAnswers(s.id, { includeGold: false }).length, 6, `${s.name}: one answer per sample`);
    assert.deepEqual(result.feedback, { kind: 'ratings', studies: 4, ratings: 24 });
    // every judgement of the second attempt became one stored answer, on batch 3's rest and batch 4
    assert.equal(ours().reduce((n, s) => n + store.listAnswers(s.id).length, 0) - allBefore, judgedAgain);
    // the curves cover the whole run, the killed attempt's iterations included
    assert.deepEqual(result.rewardCurve.map(([i]) => i), [1, 2, 3, 4]);
    assert.ok(existsSync(join(result.generatorDir, 'weights.safetensors')));
    store.close();
  } finally {
    close();
  }
});
