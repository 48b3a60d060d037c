import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, dispose, noGrad, seedInit, setNumThreads, tidy } from '../../src/engine/index.js';
import { createGenerator, type GeneratorConfig } from '../../src/diffusion/generator.js';
import { ddimStepLogProb } from '../../src/diffusion/samplers/ddim.js';
import { samplingTimesteps } from '../../src/diffusion/samplers/timesteps.js';
import { AceTokens } from '../../src/align/ace.js';
import { runDdpo } from '../../src/align/ddpo.js';
import { GeneratorPolicy } from '../../src/align/generator-policy.js';
import { gaussianLogProb } from '../../src/align/policy.js';
import { gatherSteps, sampleTrajectory } from '../../src/align/sampling.js';
import { brightnessReward, snapshot, toyDdpoConfig } from './toy-policy.js';

setNumThreads(1);

const config: GeneratorConfig = {
  unet: { resolution: 8, inChannels: 1, baseChannels: 16, channelMult: [1, 2], numResBlocks: 1, attentionResolutions: [4], heads: 2, groups: 8, dropout: 0, contextDim: 16 },
  condition: { kind: 'class', classes: ['a', 'b'], dim: 16, tokensPerClass: 1 },
  schedule: { kind: 'linear', numTimesteps: 100 },
  image: { size: 8, channels: 1 },
};

function tinyPolicy(): GeneratorPolicy {
  seedInit(7);
  const gen = createGenerator(config);
  // the UNet's output conv starts at zero (ε̂ = 0); nudge it so the test sees a real model
  noGrad(() => gen.unet.outConv.weight.add_(tidy(() => gen.unet.outConv.weight.clone().fill_(0.01))));
  return new GeneratorPolicy(gen.eval());
}

test('the real generator as a policy: trainer log p = sampler log p for shuffled per-sample steps, and = diffusion/’s ddimStepLogProb', () => {
  const policy = tinyPolicy();
  policy.ace = new AceTokens(2, policy.conditionDim, { generator: new Generator(3) });
  const opts = { steps: 4, eta: 1, guidance: 2 };
  const conds = ['a', 'b', 'b', 'a'];
  const traj = sampleTrajectory(policy, conds, opts, new Generator(5));
  noGrad(() =>
    tidy(() => {
      const samples = [0, 1, 2, 3];
      const steps = [3, 0, 2, 0];
      const { mean, std } = policy.stepDistribution(gatherSteps(traj.latents, steps, samples), steps, conds, opts);
      const logp = gaussianLogProb(gatherSteps(traj.latents, steps.map((s) => s + 1), samples), mean, std).toNumbers();
      const ref = gatherSteps(traj.logProbs, steps, samples).toNumbers();
      logp.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) < 1e-4, `${v} vs ${ref[i]}`));
      // cross-check against diffusion/'s own DDIM log-prob at step 1 for the whole batch
      const { timesteps, prevTimesteps } = samplingTimesteps(100, 4);
      const cond = policy.conditionTokens(conds);
      const uncond = policy.conditionTokens(conds.map(() => null));
      const theirs = ddimStepLogProb(policy.module, policy.module.schedule, traj.latents.select(0, 1), timesteps[1]!, traj.latents.select(0, 2), { cond, uncond, scale: 2 }, { eta: 1, tPrev: prevTimesteps[1]! });
      const mine = traj.logProbs.select(0, 1).toNumbers();
      theirs.logProb.toNumbers().forEach((v, i) => assert.ok(Math.abs(v - mine[i]!) < 1e-4, `${v} vs ${mine[i]}`));
    }),
  );
  dispose(traj);
  policy.dispose();
});

test('DDPO runs on the real generator with ACE, guidance and a comparative reward; the anchor copy is frozen', async () => {
  const policy = tinyPolicy();
  const start = snapshot(policy.module.stateDict());
  const res = await runDdpo(toyDdpoConfig({ iterations: 2, batchSize: 4, trainBatchSize: 4, steps: 3, guidance: 2, aceTokens: 2, klToAnchor: 0.01 }), {
    policy,
    rewards: [{ name: 'brightness', weight: 1, fn: brightnessReward, comparative: true }],
  });
  assert.equal(res.history.length, 2);
  assert.ok(res.history.every((m) => Number.isFinite(m.loss) && Number.isFinite(m.approxKl)));
  assert.notDeepEqual(snapshot(policy.module.stateDict()), start);
  const anchor = policy.frozenCopy();
  assert.ok(anchor.module.parameters().every((p) => !p.requiresGrad));
  anchor.dispose();
  policy.dispose();
});
