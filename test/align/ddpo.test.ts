import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, dispose, undisposedTensorCount, noGrad, tidy } from '../../src/engine/index.js';
import { runDdpo } from '../../src/align/ddpo.js';
import { gaussianLogProb } from '../../src/align/policy.js';
import { gatherSteps, sampleTrajectory } from '../../src/align/sampling.js';
import { ToyPolicy, brightnessReward, toyDdpoConfig } from './toy-policy.js';

/** Mean toy reward of 64 fresh samples from a fixed seed. */
function evaluate(policy: ToyPolicy): number {
  const conds = Array.from({ length: 64 }, (_, i) => (i % 2 ? 'b' : 'a'));
  const traj = sampleTrajectory(policy, conds, { steps: 5, eta: 1, guidance: 1 }, new Generator(99));
  const r = brightnessReward(traj.images);
  dispose(traj);
  return r.reduce((a, b) => a + b, 0) / r.length;
}

test('the trainer’s log p of a sampled step equals the sampler’s (ρ = 1 before any update)', () => {
  const policy = new ToyPolicy();
  const traj = sampleTrajectory(policy, ['a', 'b', 'a'], { steps: 5, eta: 1, guidance: 1 }, new Generator(5));
  noGrad(() =>
    tidy(() => {
      for (let s = 0; s < 5; s++) {
        const idx = [0, 1, 2];
        const steps = [s, s, s];
        const { mean, std } = policy.stepDistribution(gatherSteps(traj.latents, steps, idx), steps, traj.conditions, { steps: 5, eta: 1, guidance: 1 });
        const logp = gaussianLogProb(gatherSteps(traj.latents, steps.map((v) => v + 1), idx), mean, std).toNumbers();
        assert.deepEqual(logp, gatherSteps(traj.logProbs, steps, idx).toNumbers());
      }
    }),
  );
  dispose(traj);
  policy.dispose();
});

test('DDPO raises a toy reward (brightness) on fresh samples', async () => {
  const before = undisposedTensorCount();
  const policy = new ToyPolicy();
  const r0 = evaluate(policy);
  const res = await runDdpo(toyDdpoConfig(), { policy, rewards: [{ name: 'brightness', weight: 1, fn: brightnessReward, comparative: false }] });
  const r1 = evaluate(policy);
  console.log(`toy reward ${r0.toFixed(4)} → ${r1.toFixed(4)}; per-iteration batch mean ${res.history.map((m) => m.reward.mean.toFixed(3)).join(' ')}`);
  assert.ok(r1 > r0 + 0.03, `toy reward ${r0} → ${r1}`);
  const last = res.history.at(-1)!;
  assert.ok(Number.isFinite(last.approxKl) && last.clipFraction >= 0 && last.clipFraction <= 1);
  assert.equal(last.rewards.brightness!.histogram.counts.reduce((a, b) => a + b, 0), 64);
  policy.dispose();
  assert.equal(undisposedTensorCount(), before);
});
