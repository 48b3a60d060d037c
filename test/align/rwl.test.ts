import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, dispose, undisposedTensorCount, noGrad, rand, randint, randn, tensor, tidy } from '../../src/engine/index.js';
import { DEFAULT_RWL_CONFIG, rateFreshSamples, rewardWeightedLoss, rewardWeights, runRwl, rwlLoss } from '../../src/align/rwl.js';
import { ToyPolicy, alphasCumprod, brightnessReward } from './toy-policy.js';

test('reward-weighted loss = mean_i r_i·L_i + β·mean_j L_j (hand-computed)', () => {
  tidy(() => {
    // (0.5·1 + 1·2 + 0·3)/3 + 0.3·(4 + 6)/2 = 0.8333… + 1.5
    const l = rewardWeightedLoss(tensor([1, 2, 3]), tensor([0.5, 1, 0]), tensor([4, 6]), 0.3);
    assert.ok(Math.abs(l.item() - (2.5 / 3 + 1.5)) < 1e-6, `${l.item()}`);
  });
});

for (const condDropout of [0, 1]) {
test(`one RWL step’s loss equals the weighted combination of ε-losses recomputed by hand from the same draws (condition dropout ${condDropout})`, () => {
  const before = undisposedTensorCount();
  const policy = new ToyPolicy();
  const g = new Generator(3);
  const synthetic = { images: randn([6, 1, 8, 8], { generator: g }), conditions: ['a', 'b', 'a', 'b', 'a', 'b'], rewards: [0.9, 0.1, 0.5, 1, 0, 0.3] };
  const real = { images: randn([5, 1, 8, 8], { generator: g }), conditions: ['a', 'a', 'b', 'b', 'a'] };
  const cfg = { syntheticBatch: 4, realBatch: 3, beta: 0.3, condDropout };
  const got = noGrad(() => tidy(() => rwlLoss(policy, synthetic, real, cfg, new Generator(21)).loss.item()));
  // replay the draws: indices, timesteps, noise, in that order, for synthetic then real
  const expected = noGrad(() =>
    tidy(() => {
      const replay = new Generator(21);
      const part = (set: { images: typeof real.images; conditions: string[] }, n: number) => {
        const ids = randint(0, set.conditions.length, [n], { generator: replay }).toNumbers();
        const t = randint(0, 100, [n], { generator: replay }).toNumbers();
        const noise = randn([n, 1, 8, 8], { generator: replay });
        if (condDropout > 0) rand([n], { generator: replay }); // dropConditions' uniforms (p = 1 drops them all)
        return ids.map((id, i) => {
          const a = alphasCumprod[t[i]!]!;
          const x0 = set.images.select(0, id).unsqueeze(0);
          const eps = noise.select(0, i).unsqueeze(0);
          const xt = x0.mul(Math.sqrt(a)).add(eps.mul(Math.sqrt(1 - a)));
          const tokens = policy.module.encoder.encode([condDropout === 1 ? '' : set.conditions[id]!]).tokens;
          return { id, loss: policy.module.forward(xt, [t[i]!], tokens).sub(eps).square().mean().item() };
        });
      };
      const s = part(synthetic, 4);
      const r = part(real, 3);
      return s.reduce((acc, { id, loss }) => acc + synthetic.rewards[id]! * loss, 0) / 4 + (0.3 * r.reduce((acc, { loss }) => acc + loss, 0)) / 3;
    }),
  );
  assert.ok(Math.abs(got - expected) < 1e-5 * Math.abs(expected), `${got} vs ${expected}`);
  dispose([synthetic.images, real.images]);
  policy.dispose();
  assert.equal(undisposedTensorCount(), before);
});
}

test('RWL on rated fresh samples: the rated set carries the reward per image, and finetuning lowers the weighted loss', async () => {
  const policy = new ToyPolicy();
  const rated = await rateFreshSamples(policy, [{ name: 'brightness', weight: 1, fn: brightnessReward, comparative: false }], ['a', 'b'], 8, { steps: 5, eta: 1, guidance: 1, batch: 8 }, new Generator(2));
  assert.equal(rated.conditions.length, 16);
  assert.deepEqual(rated.images.shape, [16, 1, 8, 8]);
  assert.deepEqual(rated.rewards, brightnessReward(rated.images));
  const real = { images: tidy(() => randn([16, 1, 8, 8], { generator: new Generator(5) }).mul(0.5)), conditions: rated.conditions };
  const res = await runRwl({ ...DEFAULT_RWL_CONFIG, steps: 30, syntheticBatch: 8, realBatch: 8, lr: 3e-3, record: { rewards: 'brightness:1', anchor: 'toy', data: 'toy' } }, { policy, synthetic: rated, real });
  const head = res.history.slice(0, 5).reduce((a, m) => a + m.loss, 0) / 5;
  const tail = res.history.slice(-5).reduce((a, m) => a + m.loss, 0) / 5;
  assert.ok(tail < head, `weighted loss ${head} → ${tail}`);
  dispose([rated.images, real.images]);
  policy.dispose();
});

test("reward weights: Sun et al.'s are the rewards; condition-mean subtracts each condition's mean reward (hand-computed)", () => {
  const rewards = [1, 0.1, 0.5, 0.4, 0, 0.7];
  const conditions = ['a', 'b', 'a', 'b', 'a', 'b'];
  assert.deepEqual(rewardWeights(rewards, conditions, 'none'), rewards);
  // a: mean 0.5 → 0.5, 0, −0.5; b: mean 0.4 → −0.3, 0, 0.3
  const w = rewardWeights(rewards, conditions, 'condition-mean');
  [0.5, -0.3, 0, 0, -0.5, 0.3].forEach((v, i) => assert.ok(Math.abs(w[i]! - v) < 1e-12, `${i}: ${w[i]} vs ${v}`));
  assert.throws(() => rewardWeights([1], ['a', 'b'], 'none'), /1 rewards for 2 conditions/);
});

test('RWL with the condition-mean baseline: rewards equal within each condition weigh nothing, so each step is β × the real loss alone', async () => {
  const g = new Generator(4);
  const synthetic = { images: randn([8, 1, 8, 8], { generator: g }), conditions: ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b'], rewards: [0.9, 0.2, 0.9, 0.2, 0.9, 0.2, 0.9, 0.2] };
  const real = { images: randn([8, 1, 8, 8], { generator: g }), conditions: synthetic.conditions };
  const run = async (rewardBaseline: 'none' | 'condition-mean') => {
    const policy = new ToyPolicy();
    const res = await runRwl({ ...DEFAULT_RWL_CONFIG, steps: 3, syntheticBatch: 4, realBatch: 4, lr: 1e-3, rewardBaseline, record: { rewards: 'r', anchor: 'toy', data: 'toy' } }, { policy, synthetic, real });
    policy.dispose();
    return res.history;
  };
  for (const m of await run('condition-mean')) assert.ok(Math.abs(m.loss - 0.3 * m.realLoss) < 1e-6 * m.loss, `${m.loss} vs 0.3 × ${m.realLoss}`);
  const raw = (await run('none'))[0]!;
  assert.ok(raw.loss - 0.3 * raw.realLoss > 0.1 * raw.syntheticLoss, `without the baseline the synthetic term counts: ${raw.loss} vs 0.3 × ${raw.realLoss}`);
  dispose([synthetic.images, real.images]);
});
