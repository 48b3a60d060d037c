import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createGenerator, loadGenerator } from '../../src/diffusion/generator.js';
import { diffusionLoss } from '../../src/diffusion/loss.js';
import { DEFAULT_PRETRAIN_CONFIG, pretrain } from '../../src/diffusion/pretrain.js';
import { sampleImages } from '../../src/diffusion/pipeline.js';
import { Generator, noGrad, randn, seedInit, tidy } from '../../src/engine/index.js';
import { listCheckpoints } from '../../src/engine/index.js';
import { UnknownConditionError } from '../../src/models/conditions/index.js';
import { TINY_CLASSES, tinyGeneratorConfig } from '../models/tiny.js';

const root = join(import.meta.dirname, '..', '..');
const child = join(import.meta.dirname, 'fixtures', 'pretrain-child.ts');

test('pretraining lowers the diffusion loss on a tiny data set (fixed t and ε to measure)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-pretrain-'));
  seedInit(5);
  const gen = createGenerator(tinyGeneratorConfig());
  // four fixed images, one per class-ish: smooth colour blobs
  const images = tidy(() => randn([4, 3, 2, 2], { generator: new Generator(1) }).repeatInterleave(4, 2).repeatInterleave(4, 3).tanh());
  const conditions = ['basophil', 'eosinophil', 'lymphocyte', 'basophil'];
  const measure = () =>
    noGrad(() =>
      tidy(() => {
        const g = new Generator(99);
        const x = images.repeat([4, 1, 1, 1]);
        const conds = gen.encode([...conditions, ...conditions, ...conditions, ...conditions]);
        const ts = [50, 200, 400, 600, 800, 950, 100, 300, 500, 700, 900, 999, 20, 250, 650, 850];
        return diffusionLoss(gen, gen.schedule, x, conds, { timesteps: ts, noise: randn(x.shape, { generator: g }) }).loss.item();
      }),
    );
  const before = measure();
  const r = pretrain({ generator: gen, data: { images, conditions }, config: { ...DEFAULT_PRETRAIN_CONFIG, steps: 60, batchSize: 4, warmupSteps: 5, lr: 2e-3, checkpointEvery: 60, sampleEvery: 0, seed: 1 }, runDir: dir });
  gen.eval();
  const after = measure();
  assert.equal(r.step, 60);
  assert.ok(after < 0.7 * before, `loss ${before.toFixed(4)} → ${after.toFixed(4)}`);
  const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  assert.equal(metrics.length, 60);
  gen.dispose();
  images.dispose();

  // the checkpoint loads back as a generator that samples, and rejects unknown classes
  const loaded = loadGenerator(dir, { ema: true });
  assert.equal(loaded.source.checkpointStep, 60);
  assert.equal(loaded.source.weights, 'ema');
  const { images: out } = sampleImages(loaded, { conditions: ['basophil', null], steps: 3, seed: 4 });
  assert.equal(out.length, 2);
  assert.deepEqual([out[0]!.width, out[0]!.height, out[0]!.channels], [8, 8, 3]);
  // trajectories across batch chunks: latents and log-probs concatenated per step
  const traj = sampleImages(loaded, { conditions: ['basophil', 'eosinophil', 'lymphocyte'], steps: 3, seed: 4, batchSize: 2, trajectory: true });
  assert.equal(traj.trajectory!.latents.length, 4);
  assert.deepEqual(traj.trajectory!.latents[3]!.shape, [3, 3, 8, 8]);
  assert.deepEqual(traj.trajectory!.logProbs!.shape, [3, 3]);
  assert.deepEqual(traj.trajectory!.prevTimesteps, [665, 332, -1]);
  assert.deepEqual(Array.from(traj.samples!.toFloat32Array()), Array.from(traj.trajectory!.latents[3]!.toFloat32Array()));
  assert.throws(() => sampleImages(loaded, { conditions: ['neutrophil'], steps: 3 }), (e: unknown) => e instanceof UnknownConditionError && e.message.includes(TINY_CLASSES.join(', ')));
  loaded.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function runChild(runDir: string, steps: number, resume: boolean, delayMs: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', child, runDir, String(steps), resume ? '1' : '0', String(delayMs)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
}

function finished(p: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => p.on('exit', (code) => resolve(code)));
}

test('a run killed with SIGKILL after a checkpoint resumes to the same weights, bit for bit', async () => {
  const steps = 12;
  const whole = mkdtempSync(join(tmpdir(), 'medloop-whole-'));
  const killed = mkdtempSync(join(tmpdir(), 'medloop-killed-'));
  const a = spawnSync(process.execPath, ['--import', 'tsx', child, whole, String(steps), '0', '0'], { cwd: root, encoding: 'utf8' });
  assert.equal(a.status, 0, a.stderr);

  const p = runChild(killed, steps, false, 250);
  const ckpts = join(killed, 'checkpoints');
  const deadline = Date.now() + 120_000;
  while (!listCheckpoints(ckpts).some((c) => c.step >= 4) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  p.kill('SIGKILL');
  await finished(p);
  const reached = listCheckpoints(ckpts)[0]!.step;
  assert.ok(reached >= 4 && reached < steps, `killed mid-run (latest checkpoint: step ${reached})`);

  const r = spawnSync(process.execPath, ['--import', 'tsx', child, killed, String(steps), '1', '0'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { resumedFrom: number; step: number };
  assert.equal(result.resumedFrom, reached);
  assert.equal(result.step, steps);

  const final = (d: string) => listCheckpoints(join(d, 'checkpoints'))[0]!.dir;
  // optimizer.bin is libtorch's archive, whose bytes are not canonical; its moments are
  // checked through the weights: a resumed Adam with different moments would diverge.
  for (const f of ['weights.safetensors', 'ema.safetensors']) {
    assert.ok(readFileSync(join(final(whole), f)).equals(readFileSync(join(final(killed), f))), `${f} differs from the uninterrupted run`);
  }
  assert.ok(existsSync(final(killed)));
  rmSync(whole, { recursive: true, force: true });
  rmSync(killed, { recursive: true, force: true });
});
