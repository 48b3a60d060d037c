// The v-parameterisation (Salimans & Ho 2022) against closed forms computed in float64:
// ε from v, the v target, a v-model's ε̂ and x̂₀, and its loss taken in v-space.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { diffusionLoss } from '../../src/diffusion/loss.js';
import { createGenerator, loadGenerator } from '../../src/diffusion/generator.js';
import { ddimMean } from '../../src/diffusion/samplers/ddim.js';
import { createSchedule, epsFromV, qSample, timestepTensor, vTarget } from '../../src/diffusion/schedule.js';
import { Generator, noGrad, randn, seedInit, tensor, tidy } from '../../src/engine/index.js';
import { perturb, tinyGeneratorConfig } from '../models/tiny.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('v = √ᾱ ε − √(1−ᾱ) x₀, and ε from (x_t, v) recovers the noise, at every noise level of the cosine schedule', () => {
  const s = createSchedule({ kind: 'cosine', numTimesteps: 1000 });
  const g = new Generator(3);
  const ts = [0, 10, 500, 950, 999];
  tidy(() => {
    const x0 = randn([ts.length, 3, 4, 4], { generator: g }).clamp(-1, 1);
    const eps = randn([ts.length, 3, 4, 4], { generator: g });
    const xt = qSample(s, x0, ts, eps);
    const v = vTarget(s, x0, ts, eps);
    const back = epsFromV(s, xt, ts, v);
    const [X0, E, V, B] = [x0, eps, v, back].map((t) => t.toFloat32Array());
    const per = 3 * 4 * 4;
    for (let b = 0; b < ts.length; b++) {
      const ab = s.alphasCumprod[ts[b]!]!;
      for (let i = b * per; i < (b + 1) * per; i++) {
        close(V[i]!, Math.sqrt(ab) * E[i]! - Math.sqrt(1 - ab) * X0[i]!, 1e-5, `v at t=${ts[b]}`);
        close(B[i]!, E[i]!, 2e-5, `ε from v at t=${ts[b]}`);
      }
    }
  });
});

test("a v-model's ε̂ is √(1−ᾱ_t) x_t + √ᾱ_t v̂ per sample, and DDIM's x̂₀ from it is √ᾱ_t x_t − √(1−ᾱ_t) v̂", () => {
  seedInit(5);
  const gen = createGenerator(tinyGeneratorConfig({ prediction: 'v', schedule: { kind: 'cosine', numTimesteps: 1000 } }));
  perturb(gen, 0.1);
  gen.eval();
  assert.equal(gen.prediction, 'v');
  const ts = [999, 600, 37];
  noGrad(() =>
    tidy(() => {
      const x = randn([3, 3, 8, 8], { generator: new Generator(8) });
      const cond = gen.encode(['basophil', 'eosinophil', null]);
      const v = gen.predictOutput(x, timestepTensor(ts), cond).toFloat32Array();
      const eps = gen.predictEpsilon(x, timestepTensor(ts), cond).toFloat32Array();
      const X = x.toFloat32Array();
      const per = 3 * 8 * 8;
      for (let b = 0; b < 3; b++) {
        const ab = gen.schedule.alphasCumprod[ts[b]!]!;
        for (let i = b * per; i < (b + 1) * per; i++) close(eps[i]!, Math.sqrt(1 - ab) * X[i]! + Math.sqrt(ab) * v[i]!, 1e-5, `ε̂ at t=${ts[b]}`);
      }
      // the sampler's x̂₀ at one timestep (unclipped): within float32 rounding of the v form, even at ᾱ = 2e-9
      for (const [b, t] of ts.entries()) {
        const xb = x.narrow(0, b, 1);
        const m = ddimMean(gen.schedule, tensor(eps.slice(b * per, (b + 1) * per), [1, 3, 8, 8]), t, t - 50, xb, { eta: 1, clipDenoised: false });
        const ab = gen.schedule.alphasCumprod[t]!;
        const got = m.predXStart.toFloat32Array();
        for (let i = 0; i < per; i++) close(got[i]!, Math.sqrt(ab) * X[b * per + i]! - Math.sqrt(1 - ab) * v[b * per + i]!, t === 999 ? 5e-3 : 1e-4, `x̂₀ at t=${t}`);
      }
    }),
  );
  gen.dispose();
});

test('a v-model is trained on ‖v̂ − v‖², which is its ε-error divided by ᾱ_t; an ε-model keeps the ε loss', () => {
  seedInit(6);
  const cfg = tinyGeneratorConfig({ prediction: 'v' });
  const gen = createGenerator(cfg);
  perturb(gen, 0.1);
  gen.eval();
  const ts = [5, 250, 700];
  noGrad(() =>
    tidy(() => {
      const x0 = randn([3, 3, 8, 8], { generator: new Generator(1) }).clamp(-1, 1);
      const noise = randn([3, 3, 8, 8], { generator: new Generator(2) });
      const cond = gen.encode(['basophil', 'eosinophil', 'basophil']);
      const perSample = diffusionLoss(gen, gen.schedule, x0, cond, { timesteps: ts, noise }).perSample.toFloat32Array();
      const xt = qSample(gen.schedule, x0, ts, noise);
      const v = gen.predictOutput(xt, timestepTensor(ts), cond).toFloat32Array();
      const eps = gen.predictEpsilon(xt, timestepTensor(ts), cond).toFloat32Array();
      const [X0, N] = [x0.toFloat32Array(), noise.toFloat32Array()];
      const per = 3 * 8 * 8;
      for (let b = 0; b < 3; b++) {
        const ab = gen.schedule.alphasCumprod[ts[b]!]!;
        let vLoss = 0;
        let epsLoss = 0;
        for (let i = b * per; i < (b + 1) * per; i++) {
          vLoss += (v[i]! - (Math.sqrt(ab) * N[i]! - Math.sqrt(1 - ab) * X0[i]!)) ** 2 / per;
          epsLoss += (eps[i]! - N[i]!) ** 2 / per;
        }
        close(perSample[b]!, vLoss, 1e-5 * Math.max(1, vLoss), `v loss at t=${ts[b]}`);
        close(epsLoss / ab, vLoss, 2e-3 * vLoss, `‖ε̂ − ε‖² / ᾱ = ‖v̂ − v‖² at t=${ts[b]}`);
      }
      // the same weights read as an ε-model are scored on ε: a different number
      const asEps = createGenerator({ ...cfg, prediction: 'epsilon' });
      asEps.loadStateDict(gen.stateDict());
      asEps.eval();
      const epsPer = diffusionLoss(asEps, asEps.schedule, x0, asEps.encode(['basophil', 'eosinophil', 'basophil']), { timesteps: ts, noise }).perSample.toFloat32Array();
      const raw = asEps.predictEpsilon(xt, timestepTensor(ts), asEps.encode(['basophil', 'eosinophil', 'basophil'])).toFloat32Array();
      let e0 = 0;
      for (let i = 0; i < per; i++) e0 += (raw[i]! - N[i]!) ** 2 / per;
      close(epsPer[0]!, e0, 1e-5, 'ε-model loss');
      asEps.dispose();
    }),
  );
  gen.dispose();
});

test('the prediction type is saved with a generator; a config without it loads as an ε-model', () => {
  seedInit(7);
  const dir = mkdtempSync(join(tmpdir(), 'medloop-vpred-'));
  const v = createGenerator(tinyGeneratorConfig({ prediction: 'v' }));
  v.save(join(dir, 'v'));
  assert.equal(loadGenerator(join(dir, 'v')).prediction, 'v');
  const old = createGenerator(tinyGeneratorConfig());
  assert.equal(old.config.prediction, undefined);
  old.save(join(dir, 'old'));
  assert.equal(loadGenerator(join(dir, 'old')).prediction, 'epsilon');
  v.dispose();
  old.dispose();
});
