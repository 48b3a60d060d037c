import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, dispose, randn } from '../../src/engine/index.js';
import { ComparativeAnchor } from '../../src/align/comparative.js';
import { runDdpo } from '../../src/align/ddpo.js';
import { type RewardTerm, parseRewardWeights, rewardTerms, scoreRewards } from '../../src/align/reward-mix.js';
import { sampleTrajectory } from '../../src/align/sampling.js';
import { ToyPolicy, brightnessReward, snapshot, symmetryReward, toyDdpoConfig } from './toy-policy.js';

const opts = { steps: 5, eta: 1, guidance: 1 };

test('the anchor starts from the policy’s x_T: with the same step noise its images equal the policy’s (comparative reward 0), with its own they differ', async () => {
  const policy = new ToyPolicy();
  const anchor = new ComparativeAnchor(policy);
  const gen = new Generator(12);
  const traj = sampleTrajectory(policy, ['a', 'b', 'a'], opts, gen);
  const xT = traj.latents.select(0, 0);
  // replay the policy's step noise: the draws after x_T
  const replay = new Generator(12);
  randn(xT.shape, { generator: replay }).dispose();
  const anchorImages = anchor.sample(['a', 'b', 'a'], opts, xT, replay);
  assert.deepEqual(anchorImages.toNumbers(), traj.images.toNumbers());
  const own = anchor.sample(['a', 'b', 'a'], opts, xT, new Generator(99));
  assert.notDeepEqual(own.toNumbers(), traj.images.toNumbers());
  dispose([xT, own]);
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

test('DDPO’s anchor draws its own step noise: comparative rewards are not all 0 before the first update (they would give no gradient)', async () => {
  const policy = new ToyPolicy();
  const res = await runDdpo(toyDdpoConfig({ iterations: 1, batchSize: 8, trainBatchSize: 8 }), {
    policy,
    rewards: [{ name: 'brightness', weight: 1, fn: brightnessReward, comparative: true }],
  });
  const first = res.history[0]!.rewards.brightness!;
  assert.ok(first.std > 0, `comparative rewards at iteration 0: ${JSON.stringify(first)}`);
  assert.ok(Math.abs(first.mean) < 3 * first.std, 'the anchor is the same model: the differences centre on 0');
  policy.dispose();
});
