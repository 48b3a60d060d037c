import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosineWithWarmup } from '../../src/diffusion/lr-schedule.js';
import { createSchedule, qSample } from '../../src/diffusion/schedule.js';
import { randn, tidy } from '../../src/engine/index.js';

test('linear schedule: β from 1e-4 to 0.02, ᾱ the running product, posterior variance β̃', () => {
  const s = createSchedule({ kind: 'linear', numTimesteps: 1000 });
  assert.ok(Math.abs(s.betas[0]! - 1e-4) < 1e-12 && Math.abs(s.betas[999]! - 0.02) < 1e-12);
  let prod = 1;
  for (let t = 0; t < 1000; t++) prod *= 1 - s.betas[t]!;
  assert.ok(Math.abs(s.alphasCumprod[999]! - prod) < 1e-15);
  assert.equal(s.alphasCumprodPrev[0], 1);
  const t = 500;
  assert.ok(Math.abs(s.posteriorVariance[t]! - (s.betas[t]! * (1 - s.alphasCumprod[t - 1]!)) / (1 - s.alphasCumprod[t]!)) < 1e-15);
});

test('cosine schedule: ᾱ falls monotonically from ≈1 to ≈0, β ≤ 0.999', () => {
  const s = createSchedule({ kind: 'cosine', numTimesteps: 1000 });
  for (let t = 1; t < 1000; t++) assert.ok(s.alphasCumprod[t]! < s.alphasCumprod[t - 1]!);
  assert.ok(s.alphasCumprod[0]! > 0.999 && s.alphasCumprod[999]! < 1e-4);
  assert.ok(Math.max(...s.betas) <= 0.999);
});

test('q_sample is √ᾱ_t x₀ + √(1−ᾱ_t) ε per sample', () => {
  const s = createSchedule();
  tidy(() => {
    const x0 = randn([2, 1, 2, 2]);
    const eps = randn([2, 1, 2, 2]);
    const xt = qSample(s, x0, [10, 900], eps).toFloat64Array();
    const a = x0.toFloat64Array();
    const e = eps.toFloat64Array();
    for (let i = 0; i < 8; i++) {
      const t = i < 4 ? 10 : 900;
      const want = Math.sqrt(s.alphasCumprod[t]!) * a[i]! + Math.sqrt(1 - s.alphasCumprod[t]!) * e[i]!;
      assert.ok(Math.abs(xt[i]! - want) < 1e-5);
    }
  });
});

test('cosine learning rate warms up linearly, then decays to minLr', () => {
  const lr = cosineWithWarmup({ lr: 1, warmupSteps: 10, totalSteps: 110, minLr: 0.1 });
  assert.equal(lr(0), 0.1);
  assert.equal(lr(9), 1);
  assert.ok(Math.abs(lr(60) - 0.55) < 1e-12);
  assert.ok(Math.abs(lr(110) - 0.1) < 1e-12);
});
