import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Generator, dispose, listCheckpoints, randn } from '../../src/engine/index.js';
import { type DdpoIterationMetrics, runDdpo } from '../../src/align/ddpo.js';
import { DEFAULT_RWL_CONFIG, type RwlConfig, runRwl } from '../../src/align/rwl.js';
import type { RewardTerm } from '../../src/align/reward-mix.js';
import { ToyPolicy, brightnessReward, snapshot, symmetryReward, toyDdpoConfig } from './toy-policy.js';

const rewards: RewardTerm[] = [
  { name: 'brightness', weight: 1, fn: brightnessReward, comparative: false },
  { name: 'symmetry', weight: 0.5, fn: symmetryReward, comparative: true },
];
// everything that carries state across iterations: ACE, the anchor, the KL term, per-condition buffers, Adam moments
const cfg = toyDdpoConfig({ iterations: 4, batchSize: 16, trainBatchSize: 8, aceTokens: 2, klToAnchor: 0.05, lrWarmupUpdates: 5, checkpointEvery: 1, advantages: { bufferSize: 16, minCount: 6, clip: 5, fallback: 'batch' } });
const strip = (ms: DdpoIterationMetrics[]) => ms.map(({ seconds, ...m }) => (void seconds, m));

test('DDPO resumed from a mid-run checkpoint ends bit-identical to an uninterrupted run', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ddpo-resume-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const straight = new ToyPolicy();
  const a = await runDdpo(cfg, { policy: straight, rewards, outDir: join(root, 'a') });

  const first = new ToyPolicy();
  const b1 = await runDdpo(cfg, { policy: first, rewards, outDir: join(root, 'b'), stopAfter: 2 });
  assert.equal(b1.iteration, 2);
  first.dispose(); // the "killed" process is gone: the second half starts from fresh objects and the checkpoint
  const second = new ToyPolicy();
  const b2 = await runDdpo(cfg, { policy: second, rewards, outDir: join(root, 'b'), resume: true });
  assert.equal(b2.iteration, 4);

  assert.deepEqual(snapshot(second.module.stateDict()), snapshot(straight.module.stateDict()));
  assert.deepEqual(snapshot(second.ace!.stateDict()), snapshot(straight.ace!.stateDict()));
  assert.deepEqual([...strip(b1.history), ...strip(b2.history)], strip(a.history));
  const lines = (dir: string) => readFileSync(join(root, dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).iteration);
  assert.deepEqual(lines('b'), [0, 1, 2, 3]);
  // the run records what it optimised, against what, on what
  const state = JSON.parse(readFileSync(join(b2.checkpoint!, 'state.json'), 'utf8'));
  assert.deepEqual(state.config.record, cfg.record);
  assert.equal(state.iteration, 4);
  straight.dispose();
  second.dispose();
});

test('resuming with a changed setting is refused', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ddpo-resume-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const p = new ToyPolicy();
  await runDdpo({ ...cfg, aceTokens: 0, klToAnchor: 0, iterations: 1 }, { policy: p, rewards: rewards.slice(0, 1), outDir: root });
  await assert.rejects(runDdpo({ ...cfg, aceTokens: 0, klToAnchor: 0, lr: 0.5 }, { policy: p, rewards: rewards.slice(0, 1), outDir: root, resume: true }), /config key 'lr'/);
  p.dispose();
});

test('DDPO keeps the newest keepCheckpoints checkpoints (two by default), so a guard can walk a whole run', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ddpo-keep-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const small = { ...cfg, aceTokens: 0, klToAnchor: 0, iterations: 4, batchSize: 8, trainBatchSize: 8 };
  const steps = (dir: string) => listCheckpoints(join(root, dir, 'checkpoints')).map((c) => c.step).sort((x, y) => x - y);
  const p = new ToyPolicy();
  await runDdpo(small, { policy: p, rewards: rewards.slice(0, 1), outDir: join(root, 'default') });
  assert.deepEqual(steps('default'), [3, 4]);
  const q = new ToyPolicy();
  await runDdpo({ ...small, keepCheckpoints: 4 }, { policy: q, rewards: rewards.slice(0, 1), outDir: join(root, 'all') });
  assert.deepEqual(steps('all'), [1, 2, 3, 4]);
  p.dispose();
  q.dispose();
});

test('RWL resumed from a mid-run checkpoint ends bit-identical to an uninterrupted run', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'rwl-resume-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const g = new Generator(8);
  const synthetic = { images: randn([12, 1, 8, 8], { generator: g }).clamp(-1, 1), conditions: Array.from({ length: 12 }, (_, i) => (i % 3 ? 'a' : 'b')), rewards: Array.from({ length: 12 }, (_, i) => (i % 2 ? 1 : 0.25)) };
  const real = { images: randn([10, 1, 8, 8], { generator: g }).clamp(-1, 1), conditions: Array.from({ length: 10 }, (_, i) => (i % 2 ? 'a' : 'b')) };
  const rcfg: RwlConfig = { ...DEFAULT_RWL_CONFIG, steps: 6, syntheticBatch: 4, realBatch: 4, lr: 1e-3, aceTokens: 1, checkpointEvery: 3, record: { rewards: 'ratings', anchor: 'toy', data: 'toy' } };
  const straight = new ToyPolicy();
  const a = await runRwl(rcfg, { policy: straight, synthetic, real, outDir: join(root, 'a') });
  const first = new ToyPolicy();
  await runRwl(rcfg, { policy: first, synthetic, real, outDir: join(root, 'b'), stopAfter: 3 });
  first.dispose();
  const second = new ToyPolicy();
  const b = await runRwl(rcfg, { policy: second, synthetic, real, outDir: join(root, 'b'), resume: true });
  assert.deepEqual(snapshot(second.module.stateDict()), snapshot(straight.module.stateDict()));
  assert.deepEqual(snapshot(second.ace!.stateDict()), snapshot(straight.ace!.stateDict()));
  assert.deepEqual(b.history, a.history.slice(3));
  dispose([synthetic.images, real.images]);
  straight.dispose();
  second.dispose();
});

test('RWL resume: a checkpoint from before rewardBaseline existed resumes as Sun et al.\'s weights; asking for another baseline is refused, naming the key', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'rwl-resume-old-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const g = new Generator(9);
  const synthetic = { images: randn([8, 1, 8, 8], { generator: g }).clamp(-1, 1), conditions: Array.from({ length: 8 }, (_, i) => (i % 2 ? 'a' : 'b')), rewards: Array.from({ length: 8 }, (_, i) => i / 8) };
  const real = { images: randn([8, 1, 8, 8], { generator: g }).clamp(-1, 1), conditions: synthetic.conditions };
  const rcfg: RwlConfig = { ...DEFAULT_RWL_CONFIG, steps: 4, syntheticBatch: 4, realBatch: 4, lr: 1e-3, checkpointEvery: 2, record: { rewards: 'ratings', anchor: 'toy', data: 'toy' } };
  const first = new ToyPolicy();
  await runRwl(rcfg, { policy: first, synthetic, real, outDir: root, stopAfter: 2 });
  first.dispose();
  // what an older medloop wrote: the same state without the key
  const stateFile = join(root, 'checkpoints', 'step-0000002', 'state.json');
  const state = JSON.parse(readFileSync(stateFile, 'utf8'));
  delete state.config.rewardBaseline;
  writeFileSync(stateFile, JSON.stringify(state));
  const other = new ToyPolicy();
  await assert.rejects(runRwl({ ...rcfg, rewardBaseline: 'condition-mean' }, { policy: other, synthetic, real, outDir: root, resume: true }), /config key 'rewardBaseline' was "none" and is now "condition-mean"/);
  other.dispose();
  const second = new ToyPolicy();
  const res = await runRwl(rcfg, { policy: second, synthetic, real, outDir: root, resume: true });
  assert.equal(res.iteration, 4);
  assert.equal(res.history.length, 2);
  second.dispose();
  dispose([synthetic.images, real.images]);
});
