import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Generator, dispose, noGrad, randn, saveSafetensors, seedInit, setNumThreads, tidy, undisposedTensorCount, zeros } from '../../src/engine/index.js';
import { GeneratorLoadError, createGenerator, type GeneratorConfig, loadGenerator } from '../../src/diffusion/generator.js';
import { sampleImages } from '../../src/diffusion/pipeline.js';
import { AceTokens } from '../../src/align/ace.js';
import { exportGenerator } from '../../src/align/export.js';
import { GeneratorPolicy } from '../../src/align/generator-policy.js';
import { sampleTrajectory } from '../../src/align/sampling.js';

setNumThreads(1);

const config: GeneratorConfig = {
  unet: { resolution: 8, inChannels: 1, baseChannels: 16, channelMult: [1, 2], numResBlocks: 1, attentionResolutions: [4], heads: 2, groups: 8, dropout: 0, contextDim: 16 },
  condition: { kind: 'text', vocabulary: ['<pad>', '<unk>', '<cls>', 'heart', 'enlarged', 'normal', 'effusion', 'no'], dim: 16, maxLength: 8, layers: 1, heads: 2 },
  schedule: { kind: 'linear', numTimesteps: 100 },
  image: { size: 8, channels: 1 },
};
const conditions = ['heart enlarged', 'no effusion', 'heart normal', 'effusion'];
const opts = { steps: 4, eta: 1, guidance: 2 };

/** A policy with ACE tokens large enough to change every sample (weights perturbed: zero-initialised output layers would hide the condition). */
function acePolicy(): GeneratorPolicy {
  seedInit(11);
  const gen = createGenerator(config);
  noGrad(() => gen.parameters().forEach((p) => tidy(() => p.add_(randn(p.shape).mul(0.1)))));
  const policy = new GeneratorPolicy(gen.eval());
  policy.ace = new AceTokens(2, policy.conditionDim, { std: 1, generator: new Generator(4) });
  return policy;
}

function policyImages(policy: GeneratorPolicy, seed: number): number[] {
  const traj = sampleTrajectory(policy, conditions, opts, new Generator(seed));
  const values = tidy(() => traj.images.clamp(-1, 1).add(1).div(2).toNumbers());
  dispose(traj);
  return values;
}

function pipelineImages(path: string, seed: number, drop = false): number[] {
  const gen = loadGenerator(path);
  if (drop) {
    gen.appendedTokens?.dispose();
    gen.appendedTokens = null;
  }
  const r = sampleImages(gen, { conditions, steps: opts.steps, eta: opts.eta, cfg: opts.guidance, seed });
  gen.dispose();
  return r.images.flatMap((im) => [...im.data]);
}

const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test('an exported ACE generator reloads with its tokens and samples exactly as the policy it came from', () => {
  const root = mkdtempSync(join(tmpdir(), 'ace-export-'));
  const before = undisposedTensorCount();
  try {
    const policy = acePolicy();
    const dir = exportGenerator(root, policy, 3);
    assert.ok(existsSync(join(dir, 'ace.safetensors')));
    const fromPolicy = policyImages(policy, 21);
    const reloaded = pipelineImages(dir, 21);
    assert.equal(reloaded.length, fromPolicy.length);
    assert.ok(maxDiff(reloaded, fromPolicy) < 1e-5, `reloaded bundle differs from its policy by ${maxDiff(reloaded, fromPolicy)}`);
    // the tokens matter: without them the same seed draws other images
    const without = maxDiff(pipelineImages(dir, 21, true), fromPolicy);
    assert.ok(without > 1e-2, `ACE tokens change the samples by only ${without}: the test cannot tell them apart`);
    // the reloaded generator as a policy (no ACE of its own) and its frozen anchor copy sample the same too
    const again = new GeneratorPolicy(loadGenerator(dir));
    assert.equal(again.module.appendedTokens?.shape.join(','), '2,16');
    assert.ok(maxDiff(policyImages(again, 21), fromPolicy) < 1e-5);
    const anchor = again.frozenCopy();
    assert.ok(maxDiff(policyImages(anchor, 21), fromPolicy) < 1e-5);
    anchor.dispose();
    again.dispose();
    policy.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  assert.equal(undisposedTensorCount(), before);
});

test('re-exporting a reloaded ACE generator finetuned with new ACE tokens keeps both token sets, in order', () => {
  const root = mkdtempSync(join(tmpdir(), 'ace-export-'));
  const before = undisposedTensorCount();
  try {
    const first = acePolicy();
    const dir1 = exportGenerator(join(root, 'a'), first, 1);
    first.dispose();
    const second = new GeneratorPolicy(loadGenerator(dir1));
    second.ace = new AceTokens(3, second.conditionDim, { std: 1, generator: new Generator(9) });
    const dir2 = exportGenerator(join(root, 'b'), second, 2);
    const reloaded = loadGenerator(dir2);
    assert.deepEqual(reloaded.appendedTokens?.shape, [5, 16]);
    assert.ok(maxDiff(pipelineImages(dir2, 5), policyImages(second, 5)) < 1e-5);
    reloaded.dispose();
    second.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  assert.equal(undisposedTensorCount(), before);
});

test('a bundle without ace.safetensors loads with no appended tokens', () => {
  const root = mkdtempSync(join(tmpdir(), 'ace-export-'));
  try {
    seedInit(2);
    const gen = createGenerator(config);
    const policy = new GeneratorPolicy(gen.eval());
    const dir = exportGenerator(root, policy, 0);
    assert.ok(!existsSync(join(dir, 'ace.safetensors')));
    const back = loadGenerator(dir);
    assert.equal(back.appendedTokens, null);
    back.dispose();
    policy.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('ACE tokens of the wrong width are refused, naming the file', () => {
  const root = mkdtempSync(join(tmpdir(), 'ace-export-'));
  try {
    seedInit(2);
    const policy = new GeneratorPolicy(createGenerator(config).eval());
    const dir = exportGenerator(root, policy, 0);
    policy.dispose();
    const wrong = zeros([2, 5]);
    saveSafetensors(join(dir, 'ace.safetensors'), { tokens: wrong });
    wrong.dispose();
    assert.throws(() => loadGenerator(dir), (e: Error) => e instanceof GeneratorLoadError && e.message.includes(join(dir, 'ace.safetensors')) && /\[K, 16\]/.test(e.message));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
