import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EpsilonModel, guidedEpsilon } from '../../src/diffusion/denoiser.js';
import { createGenerator } from '../../src/diffusion/generator.js';
import { ddimCoefficients, ddimSample, ddimStepLogProb } from '../../src/diffusion/samplers/ddim.js';
import { ddpmSample } from '../../src/diffusion/samplers/ddpm.js';
import { samplingTimesteps } from '../../src/diffusion/samplers/timesteps.js';
import { Generator, noGrad, randn, seedInit, tidy } from '../../src/engine/index.js';
import { perturb, tinyGeneratorConfig } from '../models/tiny.js';

function tinyGenerator() {
  seedInit(11);
  const gen = createGenerator(tinyGeneratorConfig());
  perturb(gen, 0.1);
  gen.eval();
  return gen;
}

/** The DESIGN §4 step in float64, independently of the tensor code. */
function referenceLogProb(xt: Float64Array, eps: Float64Array, xPrev: Float64Array, aT: number, aPrev: number, eta: number, batch: number): number[] {
  const sigma = eta * Math.sqrt((1 - aPrev) / (1 - aT)) * Math.sqrt(1 - aT / aPrev);
  const per = xt.length / batch;
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let i = b * per; i < (b + 1) * per; i++) {
      let x0 = (xt[i]! - Math.sqrt(1 - aT) * eps[i]!) / Math.sqrt(aT);
      x0 = Math.min(1, Math.max(-1, x0));
      const e = (xt[i]! - Math.sqrt(aT) * x0) / Math.sqrt(1 - aT);
      const mu = Math.sqrt(aPrev) * x0 + Math.sqrt(1 - aPrev - sigma * sigma) * e;
      const d = xPrev[i]! - mu;
      sum += (-d * d) / (2 * sigma * sigma) - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
    }
    out.push(sum / per);
  }
  return out;
}

test('DDIM step log-probability equals the closed-form Gaussian density (float64 reference)', () => {
  const gen = tinyGenerator();
  const s = gen.schedule;
  const { timesteps, prevTimesteps } = samplingTimesteps(1000, 10);
  tidy(() => {
    const cond = gen.encode(['basophil', 'lymphocyte']);
    const uncond = gen.encode([null, null]);
    for (const [i, eta, cfg] of [
      [2, 1, 1],
      [5, 0.5, 3],
      [9, 1, 2],
    ] as const) {
      const t = timesteps[i]!;
      const tPrev = prevTimesteps[i]!;
      const xt = randn([2, 3, 8, 8]).mul(0.8);
      const xPrev = randn([2, 3, 8, 8]).mul(0.5);
      const guidance = { cond, uncond, scale: cfg };
      const eps = noGrad(() => guidedEpsilon(gen, xt, t, guidance)).toFloat64Array();
      const { logProb } = noGrad(() => ddimStepLogProb(gen, s, xt, t, xPrev, guidance, { tPrev, eta }));
      const { alphaBar, alphaBarPrev } = ddimCoefficients(s, t, tPrev, eta);
      const want = referenceLogProb(xt.toFloat64Array(), eps, xPrev.toFloat64Array(), alphaBar, alphaBarPrev, eta, 2);
      logProb.toNumbers().forEach((v, b) => assert.ok(Math.abs(v - want[b]!) < 1e-3 * Math.max(1, Math.abs(want[b]!)), `step ${i}: ${v} vs ${want[b]}`));
    }
  });
  gen.dispose();
});

test('DDIM trajectory log-probs match re-evaluating each recorded step; the step log-prob has gradients', () => {
  const gen = tinyGenerator();
  tidy(() => {
    const guidance = { cond: gen.encode(['eosinophil', 'basophil']), uncond: gen.encode([null, null]), scale: 2 };
    const r = ddimSample(gen, gen.schedule, { steps: 4, eta: 1, guidance, generator: new Generator(5), shape: [2, 3, 8, 8], trajectory: true });
    assert.equal(r.latents!.length, 5);
    assert.deepEqual(r.logProbs!.shape, [2, 4]);
    const recorded = r.logProbs!.toFloat64Array();
    const { prevTimesteps } = samplingTimesteps(1000, 4);
    r.timesteps.forEach((t, i) => {
      const lp = noGrad(() => ddimStepLogProb(gen, gen.schedule, r.latents![i]!, t, r.latents![i + 1]!, guidance, { tPrev: prevTimesteps[i]!, eta: 1 })).logProb.toNumbers();
      lp.forEach((v, b) => assert.ok(Math.abs(v - recorded[b * 4 + i]!) < 1e-4, `step ${i}`));
    });
    // with gradients: to the weights and to the condition tokens (DDPO + ACE)
    const tokens = guidance.cond.tokens.detach().requiresGrad_(true);
    const lp = ddimStepLogProb(gen, gen.schedule, r.latents![1]!, r.timesteps[1]!, r.latents![2]!, { cond: { tokens }, uncond: guidance.uncond, scale: 2 }, { tPrev: prevTimesteps[1]!, eta: 1 });
    lp.logProb.mean().backward();
    assert.ok(tokens.grad!.abs().sum().item() > 0);
    assert.ok(gen.unet.inputConv.weight.grad!.abs().sum().item() > 0);
  });
  gen.zeroGrad();
  gen.dispose();
});

test('η = 0 DDIM is deterministic given the noise; η > 0 depends on the generator', () => {
  const gen = tinyGenerator();
  tidy(() => {
    const guidance = { cond: gen.encode(['basophil', 'basophil']), uncond: gen.encode([null, null]), scale: 3 };
    const xT = randn([2, 3, 8, 8], { generator: new Generator(1) });
    const run = (eta: number, seed: number) => ddimSample(gen, gen.schedule, { steps: 5, eta, guidance, xT, generator: new Generator(seed) }).sample.toFloat32Array();
    assert.deepEqual(run(0, 1), run(0, 2), 'η = 0: same x_T → same image whatever the generator');
    assert.deepEqual(run(1, 3), run(1, 3), 'η = 1: same generator seed → same image');
    assert.notDeepEqual(run(1, 3), run(1, 4));
    const a = ddimSample(gen, gen.schedule, { steps: 5, eta: 0, guidance, shape: [2, 3, 8, 8], generator: new Generator(9) }).sample.toFloat32Array();
    const b = ddimSample(gen, gen.schedule, { steps: 5, eta: 0, guidance, shape: [2, 3, 8, 8], generator: new Generator(9) }).sample.toFloat32Array();
    assert.deepEqual(a, b);
    const d = ddpmSample(gen, gen.schedule, { steps: 5, guidance, shape: [2, 3, 8, 8], generator: new Generator(9) });
    assert.deepEqual(d.shape, [2, 3, 8, 8]);
    assert.ok(d.abs().amax().item() <= 1 + 1e-6, 'DDPM ends on the clipped x̂₀');
  });
  gen.dispose();
});

test('classifier-free guidance: w = 1 is the conditional prediction, w = 0 the unconditional, w = 3 the extrapolation', () => {
  const gen = tinyGenerator();
  let calls = 0;
  const counting: EpsilonModel = { predictEpsilon: (x, t, c) => (calls++, gen.predictEpsilon(x, t, c)) };
  noGrad(() =>
    tidy(() => {
      const x = randn([2, 3, 8, 8]);
      const cond = gen.encode(['basophil', 'eosinophil']);
      const uncond = gen.encode([null, null]);
      const epsC = guidedEpsilon(gen, x, 400, { cond, scale: 1 }).toFloat32Array();
      const epsU = guidedEpsilon(gen, x, 400, { cond: uncond, scale: 1 }).toFloat32Array();
      calls = 0;
      assert.deepEqual(guidedEpsilon(counting, x, 400, { cond, uncond, scale: 1 }).toFloat32Array(), epsC);
      assert.equal(calls, 1, 'w = 1 skips the unconditional branch');
      const w0 = guidedEpsilon(gen, x, 400, { cond, uncond, scale: 0 }).toFloat32Array();
      const w3 = guidedEpsilon(gen, x, 400, { cond, uncond, scale: 3 }).toFloat32Array();
      const w1 = guidedEpsilon(gen, x, 400, { cond, uncond, scale: 1.0000001 }).toFloat32Array();
      for (let i = 0; i < epsC.length; i++) {
        assert.ok(Math.abs(w0[i]! - epsU[i]!) < 1e-5);
        assert.ok(Math.abs(w1[i]! - epsC[i]!) < 1e-5, 'the doubled-batch formula at w ≈ 1 equals the conditional prediction');
        assert.ok(Math.abs(w3[i]! - (epsU[i]! + 3 * (epsC[i]! - epsU[i]!))) < 1e-4);
      }
    }),
  );
  gen.dispose();
});
