// The demo's DDPO stage with align.ddpoKeep best: the raters accept every sample of batches
// 3 and 4 only, so the checkpoint after 2 iterations (window 2: batches 3–4) is the one kept,
// not the last; the exported generator is that checkpoint, and the run record says so.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseCheckpoint } from '../../src/align/checkpoint-choice.js';
import { GeneratorPolicy } from '../../src/align/generator-policy.js';
import { readMetricsLog } from '../../src/align/run-state.js';
import type { Raster } from '../../src/data/raster.js';
import { loadGenerator } from '../../src/diffusion/generator.js';
import { listCheckpoints, loadCheckpoint } from '../../src/engine/index.js';
import { FeedbackStore } from '../../src/feedback/index.js';
import { runDdpoStage } from '../../src/workspace/demo/align-stage.js';
import { snapshot } from '../align/toy-policy.js';
import { bright, ddpoStageFixture } from './ddpo-stage-fixture.js';

test('DDPO stage with ddpoKeep best exports the checkpoint whose neighbouring batches the raters accepted most', async () => {
  const { dir, ws, ctx, data, baseline, close } = ddpoStageFixture('ddpo-keep', { iterations: 6, ddpoKeep: 'best', keepWindow: 2 });
  const store = FeedbackStore.openWorkspace(dir);
  try {
    const runFile = join(dir, 'stages', 'align-ddpo.run');
    // the batch being rated is the run's newest study; outside batches 3–4 the verdict is brightness, so the policy moves
    const batch = () => store.listStudies().filter((s) => s.name.startsWith(`${readFileSync(runFile, 'utf8').trim()}: batch `)).length;
    const judge = (image: Raster) => ({ plausible: batch() === 3 || batch() === 4 || bright(image), failedCriteria: [] });
    const result = await runDdpoStage(ctx, data, judge, baseline);

    const runDir = join(dir, 'runs', result.runId);
    const saved = listCheckpoints(join(runDir, 'checkpoints')).map((c) => c.step);
    assert.deepEqual([...saved].sort((a, b) => a - b), [2, 4, 6], 'checkpoints every 2 iterations, all kept');
    const rewards = readMetricsLog<{ iteration: number; reward: { mean: number } }>(runDir).map((m) => m.reward.mean);
    assert.deepEqual(rewards.slice(2, 4), [1, 1]);
    assert.equal(chooseCheckpoint(rewards, saved, 2).iteration, 2);
    assert.equal(result.kept?.iteration, 2);
    assert.equal(result.kept?.of, 6);
    assert.deepEqual(result.kept?.batches, [2, 3]);
    // window 2 is batches c…c+1: the last checkpoint's own batch was never sampled, so it is no candidate
    assert.deepEqual(result.kept?.curve.map(([i]) => i), [2, 4]);

    // the bundle holds checkpoint 2's weights, which later updates moved
    const exported = new GeneratorPolicy(loadGenerator(result.generatorDir));
    const at = (step: number) => loadCheckpoint(listCheckpoints(join(runDir, 'checkpoints')).find((c) => c.step === step)!.dir).tensors.weights!;
    assert.deepEqual(snapshot(exported.module.stateDict()), snapshot(at(2)));
    assert.notDeepEqual(snapshot(at(6)), snapshot(at(2)));
    exported.dispose();
    const summary = ws.runs.get(result.runId).summary as Record<string, unknown>;
    assert.equal(summary.keptIteration, 2);
    assert.equal(summary.iterations, 6);
  } finally {
    store.close();
    close();
  }
});
