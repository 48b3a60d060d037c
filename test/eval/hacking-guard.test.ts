import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type GuardPoint, hackingGuard } from '../../src/eval/hacking-guard.js';
import { seededRandom, normal } from '../../src/data/random.js';

const random = seededRandom(9);
const noise = (s: number) => s * normal(random);

test('flags training reward rising while the held-out evaluator falls', () => {
  // Reward climbs steadily; the evaluator improves for 10 evaluations, then decays.
  const series: GuardPoint[] = Array.from({ length: 24 }, (_, i) => ({
    step: i * 50,
    reward: 0.3 + 0.025 * i + noise(0.005),
    evaluator: (i < 10 ? 0.6 + 0.02 * i : 0.8 - 0.03 * (i - 10)) + noise(0.005),
  }));
  const r = hackingGuard(series, { window: 6 });
  assert.equal(r.flagged, true);
  const div = r.flags.filter((f) => f.kind === 'divergence');
  assert.equal(div.length, 1, JSON.stringify(r.flags));
  assert.ok(div[0]!.fromStep >= 8 * 50 && div[0]!.toStep === 23 * 50, `span ${div[0]!.fromStep}–${div[0]!.toStep}`);
  assert.ok(div[0]!.rewardChange > 0 && div[0]!.evaluatorChange < -0.05);
  assert.match(r.message, /reward hacking/);
});

test('flags a run-long anti-correlation', () => {
  const series: GuardPoint[] = Array.from({ length: 30 }, (_, i) => ({ step: i, reward: i + noise(1), evaluator: 1 - 0.004 * i + noise(0.004) }));
  const r = hackingGuard(series, { evaluatorDrop: 1 }); // divergence test off: only the rank test can fire
  assert.deepEqual(r.flags.map((f) => f.kind), ['anti-correlation']);
  assert.ok(r.spearman.rho < -0.5 && r.spearman.pValue < 0.05);
});

test('does not flag a co-moving pair', () => {
  const series: GuardPoint[] = Array.from({ length: 40 }, (_, i) => ({
    step: i * 10,
    reward: 0.2 + 0.015 * i + noise(0.01),
    evaluator: 0.5 + 0.008 * i + noise(0.01),
  }));
  const r = hackingGuard(series);
  assert.equal(r.flagged, false, r.message);
  assert.ok(r.spearman.rho > 0.8);
  assert.match(r.message, /No sign of reward hacking/);
});

test('a reward that plateaus while the evaluator falls is not the guard\'s business unless rewardRise allows it', () => {
  const series: GuardPoint[] = Array.from({ length: 12 }, (_, i) => ({ step: i, reward: 0.9, evaluator: 0.9 - 0.05 * i }));
  assert.equal(hackingGuard(series, { window: 4 }).flags.filter((f) => f.kind === 'divergence').length, 0);
  assert.equal(hackingGuard(series, { window: 4, rewardRise: -0.01 }).flags.filter((f) => f.kind === 'divergence').length, 1);
});
