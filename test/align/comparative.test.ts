import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, dispose } from '../../src/engine/index.js';
import { ComparativeAnchor } from '../../src/align/comparative.js';
import { runDdpo } from '../../src/align/ddpo.js';
import { type RewardTerm, parseRewardWeights, rewardTerms, scoreRewards } from '../../src/align/reward-mix.js';
import { sampleTrajectory } from '../../src/align/sampling.js';
import { ToyPolicy, brightnessReward, snapshot, symmetryReward, toyDdpoConfig } from './toy-policy.js';

const opts = { steps: 5, eta: 1, guidance: 1 };

test('the anchor draws from the same noise: before finetuning its images equal the policy’s, so comparative rewards are 0', async () => {
  const policy = new ToyPolicy();
  const anchor = new ComparativeAnchor(policy);
  const gen = new Generator(12);
  const state = gen.getState();
  const traj = sampleTrajectory(policy, ['a', 'b', 'a'], opts, gen);
  const anchorImages = anchor.sample(['a', 'b', 'a'], opts, state);
  assert.deepEqual(anchorImages.toNumbers(), traj.images.toNumbers());
  const [x, xa] = [traj.images, anchorImages];
  const terms: RewardTerm[] = [
    { name: 'brightness', weight: 1, fn: brightnessReward, comparative: true },
    { name: 'symmetry', weight: 0.5, fn: symmetryReward, comparative: false },
  ];
  const scored = await scoreRewards(terms, x!, traj.conditions, xa);
  assert.deepEqual(scored.byName.brightness, [0, 0, 0]);
  // total = 1·(s(x) − s(x̂)) + 0.5·symmetry(x)
  const sym = symmetryReward(x!);
  scored.total.forEach((v, i) => assert.ok(Math.abs(v - 0.5 * sym[i]!) < 1e-12));
  assert.deepEqual(scored.anchorByName.brightness, brightnessReward(xa!));
  dispose([traj, anchorImages]);
  anchor.dispose();
  policy.dispose();
});

test('the anchor stays frozen (bit-identical weights, no gradients) while DDPO with comparative rewards and a KL term trains the policy', async () => {
  const policy = new ToyPolicy();
  const start = snapshot(policy.module.stateDict());
  const anchor = new ComparativeAnchor(policy);
  const res = await runDdpo(toyDdpoConfig({ iterations: 3, batchSize: 16, trainBatchSize: 8, klToAnchor: 0.1 }), {
    policy,
    rewards: [
      { name: 'brightness', weight: 1, fn: brightnessReward, comparative: true },
      { name: 'symmetry', weight: 0.5, fn: symmetryReward, comparative: false },
    ],
    anchor,
  });
  assert.deepEqual(snapshot(anchor.policy.module.stateDict()), start, 'anchor weights changed');
  assert.ok(anchor.policy.module.parameters().every((p) => !p.requiresGrad && p.grad === null), 'anchor has trainable parameters or gradients');
  assert.notDeepEqual(snapshot(policy.module.stateDict()), start, 'policy did not change');
  assert.ok(res.history.every((m) => m.klToAnchor >= 0 && Number.isFinite(m.klToAnchor)));
  assert.ok(res.history.at(-1)!.klToAnchor > 0);
  anchor.dispose();
  policy.dispose();
});

test('reward specs parse with weights and comparative names, and reject nonsense', () => {
  assert.deepEqual(parseRewardWeights('plausibility:1, posture:0.5,diagnostic'), [
    { name: 'plausibility', weight: 1 },
    { name: 'posture', weight: 0.5 },
    { name: 'diagnostic', weight: 1 },
  ]);
  assert.throws(() => parseRewardWeights('a:x'), /not a number/);
  assert.throws(() => parseRewardWeights('a:1,a:2'), /twice/);
  const terms = rewardTerms('brightness:2,symmetry:1', (n) => (n === 'brightness' ? brightnessReward : symmetryReward), ['symmetry']);
  assert.deepEqual(terms.map((t) => [t.name, t.weight, t.comparative]), [['brightness', 2, false], ['symmetry', 1, true]]);
  assert.throws(() => rewardTerms('brightness', () => brightnessReward, ['posture']), /not among/);
});
