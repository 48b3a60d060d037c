import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, adam, dispose, undisposedTensorCount, noGrad, tensor, tidy, zeros } from '../../src/engine/index.js';
import { AceTokens } from '../../src/align/ace.js';
import { runDdpo } from '../../src/align/ddpo.js';
import { sampleTrajectory } from '../../src/align/sampling.js';
import { ToyPolicy, brightnessReward, toyDdpoConfig } from './toy-policy.js';

test('ACE appends K tokens to the sequence and marks them real in the mask', () => {
  tidy(() => {
    const ace = new AceTokens(2, 4, { generator: new Generator(1) });
    const out = ace.append({ tokens: zeros([3, 5, 4]), mask: tensor([1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1], [3, 5]) });
    assert.deepEqual(out.tokens.shape, [3, 7, 4]);
    const last = ace.tokens.select(0, 1).toNumbers();
    assert.deepEqual(out.tokens.select(1, 6).toNumbers(), [...last, ...last, ...last]);
    assert.deepEqual(out.mask!.select(0, 0).toNumbers(), [1, 1, 1, 0, 0, 1, 1]);
    assert.throws(() => ace.append({ tokens: zeros([1, 2, 3]) }), /width 3/);
    ace.dispose();
  });
});

test('ACE tokens receive gradients from the policy loss, change after a step, and change what is sampled', () => {
  const before = undisposedTensorCount();
  const policy = new ToyPolicy();
  policy.ace = new AceTokens(2, policy.conditionDim, { generator: new Generator(1) });
  const start = policy.ace.tokens.toNumbers();
  const opt = adam([{ params: policy.module.parameters() }, { params: policy.ace.parameters(), lr: 1e-2 }], { lr: 1e-4 });
  tidy(() => {
    const x = zeros([2, 1, 8, 8]).add(0.3);
    policy.stepDistribution(x, [0, 1], ['a', 'b'], { steps: 5, eta: 1, guidance: 1 }).mean.square().mean().backward();
  });
  const g = policy.ace.tokens.grad!;
  assert.ok(tidy(() => g.abs().sum().item()) > 0, 'ACE tokens got no gradient');
  g.dispose();
  opt.step();
  assert.equal(opt.getLr(1), 1e-2, 'ACE has its own learning rate');
  assert.notDeepEqual(policy.ace.tokens.toNumbers(), start);
  // the tokens are used at sampling: same noise, different images with and without them
  const withAce = sampleTrajectory(policy, ['a', 'b'], { steps: 5, eta: 1, guidance: 1 }, new Generator(4));
  const ace = policy.ace;
  policy.ace = null;
  const without = sampleTrajectory(policy, ['a', 'b'], { steps: 5, eta: 1, guidance: 1 }, new Generator(4));
  assert.notDeepEqual(withAce.images.toNumbers(), without.images.toNumbers());
  dispose([withAce, without]);
  ace.dispose();
  policy.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('DDPO with --ace trains the tokens with the policy loss and saves them in the checkpoint', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { loadCheckpoint } = await import('../../src/engine/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'ace-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const policy = new ToyPolicy();
  const res = await runDdpo(toyDdpoConfig({ iterations: 2, batchSize: 16, trainBatchSize: 16, aceTokens: 3, aceLr: 1e-2 }), {
    policy,
    rewards: [{ name: 'brightness', weight: 1, fn: brightnessReward, comparative: false }],
    outDir: dir,
  });
  assert.ok(res.ace);
  const init = noGrad(() => new AceTokens(3, policy.conditionDim, { generator: new Generator(toyDdpoConfig().seed + 1) }));
  assert.notDeepEqual(res.ace!.tokens.toNumbers(), init.tokens.toNumbers(), 'ACE tokens did not move');
  const ck = loadCheckpoint(res.checkpoint!);
  assert.deepEqual(ck.tensors.ace!.get('tokens')!.toNumbers(), res.ace!.tokens.toNumbers());
  dispose(Object.values(ck.tensors).map((m) => [...m.values()]));
  init.dispose();
  policy.dispose();
});
