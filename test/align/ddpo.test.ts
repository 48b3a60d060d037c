import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, dispose, isGradEnabled, noGrad, randn, tensor, tidy, undisposedTensorCount } from '../../src/engine/index.js';
import { runDdpo, trainableSteps, updatesPerIteration, warmupFactor } from '../../src/align/ddpo.js';
import { ComparativeAnchor } from '../../src/align/comparative.js';
import { gaussianKlSameStd, gaussianLogProb } from '../../src/align/policy.js';
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

test('learning-rate warm-up: the factor rises linearly over the given updates, counted across iterations', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 9].map((u) => warmupFactor(u, 4)), [0.25, 0.5, 0.75, 1, 1, 1]);
  assert.equal(warmupFactor(0, 0), 1);
  assert.equal(updatesPerIteration({ batchSize: 48, trainBatchSize: 24, innerEpochs: 1 }), 2);
  assert.equal(updatesPerIteration({ batchSize: 50, trainBatchSize: 24, innerEpochs: 2 }), 6);
});

test('with warm-up the first iteration moves the weights less than without (Adam’s first steps are ±lr whatever the gradient)', async () => {
  const moved = async (lrWarmupUpdates: number) => {
    const policy = new ToyPolicy();
    const start = policy.module.stateDict();
    const before = new Map([...start].map(([k, t]) => [k, t.toNumbers()]));
    await runDdpo(toyDdpoConfig({ iterations: 1, innerEpochs: 1, lrWarmupUpdates }), { policy, rewards: [{ name: 'brightness', weight: 1, fn: brightnessReward, comparative: false }] });
    let sq = 0;
    for (const [k, t] of policy.module.stateDict()) t.toNumbers().forEach((v, i) => (sq += (v - before.get(k)![i]!) ** 2));
    policy.dispose();
    return Math.sqrt(sq);
  };
  const plain = await moved(0);
  const warm = await moved(8);
  // 2 updates at 1/8 and 2/8 of lr: about (1 + 2)/(8 + 8) of the plain run's two full steps
  assert.ok(warm < 0.35 * plain && warm > 0.05 * plain, `weight change with warm-up ${warm} vs without ${plain}`);
});

test('skipSteps: training draws only from the steps between the skipped first and last ones', async () => {
  const policy = new ToyPolicy();
  const trained = new Set<number>();
  const inner = policy.stepDistribution.bind(policy);
  // sampling runs without gradients; every call with gradients is a training step
  policy.stepDistribution = (xt, steps, conditions, opts) => {
    if (isGradEnabled()) steps.forEach((s) => trained.add(s));
    return inner(xt, steps, conditions, opts);
  };
  await runDdpo(toyDdpoConfig({ iterations: 2, steps: 6, skipSteps: { first: 1, last: 2 } }), { policy, rewards: [{ name: 'brightness', weight: 1, fn: brightnessReward, comparative: false }] });
  assert.deepEqual([...trained].sort(), [1, 2, 3]);
  assert.deepEqual(trainableSteps({ steps: 20, skipSteps: { first: 1, last: 1 } }), { first: 1, eligible: 18 });
  await assert.rejects(runDdpo(toyDdpoConfig({ steps: 4, skipSteps: { first: 2, last: 2 } }), { policy, rewards: [] }), /leaves none to train on/);
  policy.dispose();
});

/** Real images for the toy: dark (−0.6) and flat, with the toy's conditions. */
function darkReal(n: number) {
  const conditions = Array.from({ length: n }, (_, i) => (i % 2 ? 'b' : 'a'));
  return { images: tensor(new Float32Array(n * 64).fill(-0.6), [n, 1, 8, 8]), conditions };
}

/** Mean denoising loss of the policy on `real` at fixed timesteps and noise (lower: closer to the real images). */
function realLoss(policy: ToyPolicy, real: ReturnType<typeof darkReal>): number {
  return noGrad(() =>
    tidy(() => {
      const g = new Generator(123);
      const t = Array.from({ length: real.conditions.length }, (_, i) => (i * 7) % policy.trainTimesteps);
      return policy.diffusionLoss(real.images, real.conditions, randn(real.images.shape, { generator: g }), t).mean().item();
    }),
  );
}

test('pretraining-loss regulariser: β × the real images’ denoising loss joins every update, and holds the policy to them', async () => {
  const before = undisposedTensorCount();
  const real = darkReal(32);
  const rewards = [{ name: 'brightness', weight: 1, fn: brightnessReward, comparative: false }];
  const unused = new ToyPolicy();
  await assert.rejects(runDdpo(toyDdpoConfig({ pretrainWeight: 1 }), { policy: unused, rewards }), /pretrainWeight > 0 needs real images/);
  const run = async (pretrainWeight: number) => {
    const policy = new ToyPolicy();
    const res = await runDdpo(toyDdpoConfig({ iterations: 12, pretrainWeight, pretrainBatch: 8 }), { policy, rewards, real });
    const out = { reward: evaluate(policy), loss: realLoss(policy, real), logged: res.history.map((m) => m.pretrainLoss) };
    policy.dispose();
    return out;
  };
  const start = realLoss(unused, real);
  unused.dispose();
  const plain = await run(0);
  const held = await run(50);
  // the brightness reward pulls away from the dark real images; the regulariser pulls back
  assert.ok(held.loss < plain.loss, `real-image loss with the regulariser ${held.loss} vs without ${plain.loss} (start ${start})`);
  assert.ok(held.reward < plain.reward, `reward with the regulariser ${held.reward} vs without ${plain.reward}`);
  assert.ok(plain.logged.every((v) => v === 0));
  assert.ok(held.logged.every((v) => Number.isFinite(v) && v > 0));
  real.images.dispose();
  assert.equal(undisposedTensorCount(), before);
});

/** Mean per-step KL(π ‖ anchor) along 32 of the anchor's own trajectories from a fixed seed. */
function klFromAnchor(policy: ToyPolicy, anchor: ComparativeAnchor): number {
  const opts = { steps: 5, eta: 1, guidance: 1 };
  const conds = Array.from({ length: 32 }, (_, i) => (i % 2 ? 'b' : 'a'));
  const traj = sampleTrajectory(anchor.policy, conds, opts, new Generator(77));
  let sum = 0;
  noGrad(() =>
    tidy(() => {
      for (let s = 0; s < opts.steps; s++) {
        const steps = conds.map(() => s);
        const xt = gatherSteps(traj.latents, steps, conds.map((_, i) => i));
        const { mean, std } = policy.stepDistribution(xt, steps, conds, opts);
        sum += gaussianKlSameStd(mean, anchor.stepMean(xt, steps, conds, opts), std).mean().item();
      }
    }),
  );
  dispose(traj);
  return sum / opts.steps;
}

test('KL-to-anchor regulariser: the policy ends nearer the frozen start, and the reward it trades away is smaller', async () => {
  const before = undisposedTensorCount();
  const rewards = [{ name: 'brightness', weight: 1, fn: brightnessReward, comparative: false }];
  const run = async (klToAnchor: number) => {
    const policy = new ToyPolicy();
    const start = new ComparativeAnchor(policy);
    const res = await runDdpo(toyDdpoConfig({ iterations: 10, klToAnchor }), { policy, rewards });
    const out = { reward: evaluate(policy), kl: klFromAnchor(policy, start), logged: res.history.map((m) => m.klToAnchor) };
    start.dispose();
    policy.dispose();
    return out;
  };
  const free = await run(0);
  const held = await run(200);
  assert.ok(free.kl > 0, 'the free policy did not move');
  assert.ok(held.kl < free.kl / 2, `KL to the start with the regulariser ${held.kl} vs without ${free.kl}`);
  assert.ok(held.reward < free.reward, `reward with the regulariser ${held.reward} vs without ${free.reward}`);
  assert.ok(free.logged.every((v) => v === 0), 'KL logged while off');
  assert.ok(held.logged.some((v) => v > 0));
  assert.equal(undisposedTensorCount(), before);
});
