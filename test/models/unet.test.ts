import assert from 'node:assert/strict';
import { test } from 'node:test';
import { undisposedTensorCount, randn, seedInit, tensor, tidy } from '../../src/engine/index.js';
import { ClassConditionEncoder, TextConditionEncoder, UnknownConditionError, appendTokens, buildVocabulary } from '../../src/models/conditions/index.js';
import { UNet, UNetConfigError, defaultUNetConfig, pooledTokens } from '../../src/models/unet.js';
import { timestepEmbedding } from '../../src/models/timestep-embedding.js';
import { perturb, tinyUNetConfig } from './tiny.js';

test('UNet maps [B, C, H, W] to the same shape at 32 and 64, 1 and 3 channels', () => {
  seedInit(1);
  for (const [res, ch, mult] of [
    [32, 3, [1, 2, 2]],
    [64, 1, [1, 2, 2, 2]],
  ] as const) {
    const before = undisposedTensorCount();
    const unet = new UNet(tinyUNetConfig({ resolution: res, inChannels: ch, channelMult: [...mult], attentionResolutions: [8] }));
    tidy(() => {
      const x = randn([2, ch, res, res]);
      const out = unet.forward(x, tensor([10, 500]), randn([2, 3, 16]));
      assert.deepEqual(out.shape, [2, ch, res, res]);
    });
    unet.dispose();
    assert.equal(undisposedTensorCount(), before, 'no tensors leak from forward');
  }
});

test('the default 32×32 RGB UNet has 2–5 M parameters', () => {
  const unet = new UNet(defaultUNetConfig(32, 3, 128));
  const n = unet.parameterCount();
  unet.dispose();
  assert.ok(n > 2e6 && n < 5e6, `${n} parameters`);
});

test('bad UNet configs fail naming the problem', () => {
  assert.throws(() => new UNet(tinyUNetConfig({ resolution: 10, channelMult: [1, 2, 2] })), UNetConfigError);
  assert.throws(() => new UNet(tinyUNetConfig({ groups: 3 })), /divisible by 3 GroupNorm groups/);
  assert.throws(() => new UNet(tinyUNetConfig({ inChannels: 2 })), /inChannels must be 1 or 3/);
});

test('timestep embedding is [cos(t f), sin(t f)] with f_i = 10000^(−i/h)', () => {
  const e = tidy(() => timestepEmbedding(tensor([0, 7]), 8).toFloat64Array());
  for (let i = 0; i < 4; i++) {
    const f = Math.exp((-Math.log(10000) * i) / 4);
    assert.ok(Math.abs(e[8 + i]! - Math.cos(7 * f)) < 1e-5);
    assert.ok(Math.abs(e[8 + 4 + i]! - Math.sin(7 * f)) < 1e-5);
    assert.ok(Math.abs(e[i]! - 1) < 1e-6);
  }
});

test('gradients flow to the condition tokens (ACE needs them) and change the output', () => {
  seedInit(2);
  const unet = new UNet(tinyUNetConfig());
  perturb(unet);
  tidy(() => {
    const tokens = randn([2, 3, 16]).requiresGrad_(true);
    const out = unet.forward(randn([2, 3, 8, 8]), tensor([100, 900]), tokens);
    out.square().mean().backward();
    const g = tokens.grad!;
    assert.ok(g.abs().sum().item() > 0, 'token gradient is non-zero');
    // appending a learned token (as ACE does) changes the prediction and receives a gradient
    const x = randn([2, 3, 8, 8]);
    const ace = randn([2, 16]).requiresGrad_(true);
    const base = unet.forward(x, tensor([100, 900]), tokens.detach());
    const appended = appendTokens({ tokens: tokens.detach() }, ace);
    assert.deepEqual(appended.tokens.shape, [2, 5, 16]);
    const withAce = unet.forward(x, tensor([100, 900]), appended.tokens);
    assert.ok(withAce.sub(base).abs().amax().item() > 0);
    withAce.sum().backward();
    assert.ok(ace.grad!.abs().sum().item() > 0);
  });
  unet.dispose();
});

test('masked positions do not influence the UNet (padding is ignored)', () => {
  seedInit(3);
  const unet = new UNet(tinyUNetConfig());
  perturb(unet);
  tidy(() => {
    const x = randn([1, 3, 8, 8]);
    const t = tensor([300]);
    const tokens = randn([1, 4, 16]);
    const mask = tensor([1, 1, 0, 0], [1, 4]);
    const other = tokens.clone();
    other.narrow(1, 2, 2).copy_(randn([1, 2, 16]));
    const a = unet.forward(x, t, tokens, mask).toFloat32Array();
    const b = unet.forward(x, t, other, mask).toFloat32Array();
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    assert.ok(maxDiff < 1e-5, `padding changed the output by ${maxDiff}`);
    const pooled = pooledTokens(tokens, mask).toFloat32Array();
    const expect = tokens.narrow(1, 0, 2).mean(1).toFloat32Array();
    pooled.forEach((v, i) => assert.ok(Math.abs(v - expect[i]!) < 1e-6));
  });
  unet.dispose();
});

test('class encoder: tokens per class, a NULL index, and unknown names list the classes', () => {
  const enc = new ClassConditionEncoder({ classes: ['a', 'b'], dim: 4, tokensPerClass: 2 });
  tidy(() => {
    const { tokens, mask } = enc.encode(['b', null, 'a', '']);
    assert.deepEqual(tokens.shape, [4, 2, 4]);
    assert.equal(mask, undefined);
    const w = enc.table.weight.toFloat32Array();
    const got = tokens.toFloat32Array();
    // 'b' is class 1 → table rows 2, 3; NULL (index 2) → rows 4, 5
    assert.deepEqual(Array.from(got.subarray(0, 8)), Array.from(w.subarray(8, 16)));
    assert.deepEqual(Array.from(got.subarray(8, 16)), Array.from(w.subarray(16, 24)));
    assert.deepEqual(Array.from(got.subarray(24, 32)), Array.from(got.subarray(8, 16)), "'' is NULL too");
  });
  assert.throws(
    () => enc.encode(['c']),
    (e: unknown) => e instanceof UnknownConditionError && /unknown condition 'c'.*a, b/.test(e.message),
  );
  enc.dispose();
});

test('text encoder: vocabulary from reports, masked tokens, NULL = empty text, gradients reach its weights', () => {
  const reports = ['Bilateral consolidation in the lower lobes', 'No acute findings', 'Consolidation right lower lobe', 'no acute disease'];
  const vocab = buildVocabulary(reports, { minCount: 1 });
  assert.deepEqual(vocab.slice(0, 3), ['<pad>', '<unk>', '<cls>']);
  assert.ok(vocab.includes('consolidation') && vocab.includes('lobe'));
  seedInit(4);
  const enc = new TextConditionEncoder({ vocabulary: vocab, dim: 16, maxLength: 8, layers: 2, heads: 2 });
  const unet = new UNet(tinyUNetConfig());
  perturb(unet);
  tidy(() => {
    const c = enc.encode(['No acute findings', null, 'a very long report with many many words beyond the limit']);
    assert.deepEqual(c.tokens.shape, [3, 8, 16]);
    assert.deepEqual(c.mask!.sum(1).toNumbers(), [4, 1, 8]);
    const out = unet.forward(randn([3, 3, 8, 8]), tensor([5, 50, 500]), c.tokens, c.mask);
    out.square().mean().backward();
    const g = enc.tokenEmbed.weight.grad!;
    assert.ok(g.abs().sum().item() > 0);
  });
  assert.deepEqual(enc.config().vocabulary, vocab);
  enc.dispose();
  unet.dispose();
});
