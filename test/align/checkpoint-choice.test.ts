import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Tensor, listCheckpoints, loadCheckpoint } from '../../src/engine/index.js';
import { chooseCheckpoint, keepBestCheckpoint } from '../../src/align/checkpoint-choice.js';
import { runDdpo } from '../../src/align/ddpo.js';
import { AceTokens } from '../../src/align/ace.js';
import { ToyPolicy, brightnessReward, snapshot, toyDdpoConfig } from './toy-policy.js';

test('chooseCheckpoint averages the batches centred on each checkpoint, cut to the run', () => {
  const rewards = [0.1, 0.2, 0.9, 0.8, 0.3, 0.2];
  // window 3: checkpoint c averages batches c−1…c+1; the last (6) has only batch 5
  const c = chooseCheckpoint(rewards, [6, 2, 4], 3);
  assert.equal(c.iteration, 2);
  assert.deepEqual(c.batches, [1, 3]);
  assert.ok(Math.abs(c.score - (0.2 + 0.9 + 0.8) / 3) < 1e-12);
  assert.deepEqual(c.candidates.map((x) => x.iteration), [2, 4, 6]);
  assert.ok(Math.abs(c.candidates[1]!.score - (0.8 + 0.3 + 0.2) / 3) < 1e-12);
  assert.deepEqual(c.candidates[2]!.batches, [5, 5]);
  // an even window leans forward: 4 → c−1…c+2
  assert.deepEqual(chooseCheckpoint(rewards, [1], 4).batches, [0, 3]);
  // window 1 is the checkpoint's own batch; the last checkpoint has none and is no candidate
  const own = chooseCheckpoint(rewards, [2, 3, 6], 1);
  assert.equal(own.iteration, 2);
  assert.deepEqual(own.candidates.map((x) => x.iteration), [2, 3]);
  // a window as long as the run scores every checkpoint alike: the tie goes to the earlier
  assert.equal(chooseCheckpoint(rewards, [4, 6, 5], 20).iteration, 4);
});

test('chooseCheckpoint refuses what it cannot score, saying why', () => {
  assert.throws(() => chooseCheckpoint([0.5], [1], 0), /window must be a whole number/);
  assert.throws(() => chooseCheckpoint([], [1], 4), /no batch rewards/);
  // checkpoint 0 is the starting model, 9 lies past the log
  assert.throws(() => chooseCheckpoint([0.5, 0.6], [0, 9], 4), /no saved checkpoint lies within the 2 logged iterations \(saved: 0, 9\)/);
  assert.throws(() => chooseCheckpoint([0.5, 0.6], [2], 1), /no saved checkpoint has a batch/);
});

test('keepBestCheckpoint loads the weights and ACE tokens of the checkpoint whose batches scored best', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ddpo-keep-best-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  // the policy learns brightness; the logged reward adds a bump at iterations 2–3, so the best window is not the last
  let iteration = 0;
  const bump = [0, 0, 5, 5, 0, 0];
  const rewards = [{ name: 'bumped', weight: 1, comparative: false, fn: (x: Tensor) => brightnessReward(x).map((r) => r + bump[iteration]!) }];
  const cfg = toyDdpoConfig({ iterations: 6, batchSize: 8, trainBatchSize: 8, innerEpochs: 1, aceTokens: 1, checkpointEvery: 1, keepCheckpoints: 6 });
  const trained = new ToyPolicy();
  await runDdpo(cfg, { policy: trained, rewards, outDir: root, onIteration: () => iteration++ });

  const fresh = new ToyPolicy();
  fresh.ace = new AceTokens(1, fresh.conditionDim);
  const choice = keepBestCheckpoint(root, fresh, 2);
  // window 2 → batches c…c+1: checkpoint 2 averages the two bumped batches
  assert.equal(choice.iteration, 2);
  assert.deepEqual(choice.batches, [2, 3]);
  assert.ok(choice.score > 5 && choice.candidates.every((c) => c.iteration === 2 || c.score < 5));
  const saved = listCheckpoints(join(root, 'checkpoints'));
  assert.deepEqual(saved.map((c) => c.step).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
  const at = (step: number) => loadCheckpoint(saved.find((c) => c.step === step)!.dir).tensors;
  assert.deepEqual(snapshot(fresh.module.stateDict()), snapshot(at(2).weights!));
  assert.deepEqual(snapshot(fresh.ace.stateDict()), snapshot(at(2).ace!));
  // the run's weights moved after iteration 2: the last checkpoint is another model
  assert.notDeepEqual(snapshot(trained.module.stateDict()), snapshot(at(2).weights!));
  trained.dispose();
  fresh.dispose();
});
