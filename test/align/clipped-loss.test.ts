import assert from 'node:assert/strict';
import { test } from 'node:test';
import { undisposedTensorCount, tensor, tidy } from '../../src/engine/index.js';
import { clippedPolicyLoss } from '../../src/align/clipped-loss.js';

// ρ and A chosen so that the clip binds on both sides (samples 1, 2, 5) and not on 3, 4.
const rho = [1.5, 0.5, 0.9, 1.1, 0.7];
const adv = [1, -1, 2, -0.5, -3];

test('clipped policy loss matches hand-computed values, clip fraction and approx-KL', () => {
  const before = undisposedTensorCount();
  tidy(() => {
    const logpOld = tensor([0.3, -1.2, 2.0, 0.0, 5.0]);
    const logpNew = tensor(rho.map((r, i) => Math.log(r) + logpOld.toNumbers()[i]!)).requiresGrad_(true);
    const { loss, approxKl, clipFraction } = clippedPolicyLoss(tensor(adv), logpNew, logpOld, 0.2);
    // per sample max(−Aρ, −A·clip(ρ, 0.8, 1.2)): −1.2, 0.8, −1.8, 0.55, 2.4 → mean 0.15
    assert.ok(Math.abs(loss.item() - 0.15) < 1e-6, `loss ${loss.item()}`);
    assert.ok(Math.abs(clipFraction - 0.6) < 1e-7);
    const kl = 0.5 * (rho.reduce((a, r) => a + Math.log(r) ** 2, 0) / 5);
    assert.ok(Math.abs(approxKl - kl) < 1e-6, `approxKl ${approxKl} vs ${kl}`);
    // d loss / d log p_new: −A·ρ/5 where the unclipped term is active, 0 where the clip binds
    loss.backward();
    const g = logpNew.grad!.toNumbers();
    const expected = [0, 0, (-2 * 0.9) / 5, (0.5 * 1.1) / 5, 0];
    g.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `grad[${i}] ${v} vs ${expected[i]}`));
  });
  assert.equal(undisposedTensorCount(), before);
});

test('at ρ = 1 the loss is −mean(A) and nothing is clipped', () => {
  tidy(() => {
    const lp = tensor([0.1, 0.2, 0.3]);
    const r = clippedPolicyLoss(tensor([1, 2, -6]), lp, lp, 1e-4);
    assert.ok(Math.abs(r.loss.item() - 1) < 1e-6);
    assert.equal(r.clipFraction, 0);
    assert.equal(r.approxKl, 0);
  });
});
