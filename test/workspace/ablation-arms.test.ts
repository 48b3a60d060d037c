import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CXR_REWARDS, cxrAblationArms } from '../../src/workspace/ablation/arms.js';
import { armDdpoConfig, armRewardTerms } from '../../src/workspace/ablation/arm-run.js';
import { AblationConfigError, CXR_ABLATION_DEFAULT, CXR_ABLATION_QUICK, firstDifference, validateAblationConfig } from '../../src/workspace/ablation/config.js';
import type { ModelScores } from '../../src/workspace/ablation/model-scores.js';
import { ablationTable } from '../../src/workspace/ablation/table.js';
import { wilsonInterval } from '../../src/eval/metrics/plausibility.js';

const byName = () => new Map(cxrAblationArms().map((a) => [a.name, a]));

/** The settings in which two arms differ. */
function differences(a: object, b: object): string[] {
  return ['rewards', 'comparative', 'aceTokens'].filter((k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((b as Record<string, unknown>)[k]));
}

test('the ablation has the full arm, w/o ACE, w/o RLCF and one arm per reward, with distinct names', () => {
  const arms = cxrAblationArms();
  assert.deepEqual(arms.map((a) => a.name).sort(), ['consistency-only', 'diagnostic-only', 'full', 'no-ace', 'no-rlcf', 'posture-only']);
  assert.equal(new Set(arms.map((a) => a.label)).size, arms.length);
});

test('full: all three rewards, diagnostic and consistency comparative (RLCF), two ACE tokens', () => {
  const full = byName().get('full')!;
  assert.deepEqual([...full.rewards].sort(), [...CXR_REWARDS].sort());
  assert.deepEqual([...full.comparative].sort(), ['consistency', 'diagnostic']);
  assert.equal(full.aceTokens, 2);
});

test('each arm differs from the full one in exactly what its name says', () => {
  const arms = byName();
  const full = arms.get('full')!;
  assert.deepEqual(differences(arms.get('no-ace')!, full), ['aceTokens']);
  assert.equal(arms.get('no-ace')!.aceTokens, 0);
  assert.deepEqual(differences(arms.get('no-rlcf')!, full), ['comparative']);
  assert.deepEqual(arms.get('no-rlcf')!.comparative, []);
  for (const r of CXR_REWARDS) {
    const single = arms.get(`${r}-only`)!;
    assert.deepEqual(single.rewards, [r]);
    assert.equal(single.aceTokens, full.aceTokens, `${r}-only keeps ACE`);
    // a single reward stays comparative exactly when it is comparative in the full arm
    assert.deepEqual(single.comparative, full.comparative.includes(r) ? [r] : []);
    assert.ok(single.comparative.every((c) => single.rewards.includes(c)));
  }
  assert.equal(cxrAblationArms(5).find((a) => a.name === 'full')!.aceTokens, 5);
});

test('an arm becomes a DDPO config with its ACE tokens and weighted, marked reward terms', () => {
  const weights = { posture: 50, diagnostic: 10, consistency: 2.5 };
  const fns = { posture: () => [1], diagnostic: () => [2], consistency: () => [3] };
  for (const arm of cxrAblationArms()) {
    const cfg = armDdpoConfig(arm, CXR_ABLATION_DEFAULT, ['a report'], weights, '/base');
    assert.equal(cfg.aceTokens, arm.aceTokens);
    assert.equal(cfg.seed, CXR_ABLATION_DEFAULT.seed, 'every arm draws the same seed');
    assert.equal(cfg.lr, CXR_ABLATION_DEFAULT.ddpo.lr);
    assert.equal(cfg.eta, 1);
    assert.deepEqual(
      cfg.record.rewards,
      arm.rewards.map((name) => ({ name, weight: weights[name], comparative: arm.comparative.includes(name) })),
    );
    const terms = armRewardTerms(arm, weights, fns);
    assert.deepEqual(
      terms.map((t) => t.fn),
      arm.rewards.map((r) => fns[r]),
    );
  }
  const noRlcf = armDdpoConfig(byName().get('no-rlcf')!, CXR_ABLATION_DEFAULT, ['r'], weights, '/base');
  assert.ok(noRlcf.record.rewards.every((r) => !r.comparative));
});

test('configs: presets validate, bad sizes are named, differences are found by key path', () => {
  validateAblationConfig(CXR_ABLATION_DEFAULT);
  validateAblationConfig(CXR_ABLATION_QUICK);
  assert.throws(() => validateAblationConfig({ ...CXR_ABLATION_DEFAULT, ddpo: { ...CXR_ABLATION_DEFAULT.ddpo, trainBatchSize: 5 } }), (e: Error) => e instanceof AblationConfigError && /ddpo\.trainBatchSize/.test(e.message));
  assert.throws(() => validateAblationConfig({ ...CXR_ABLATION_DEFAULT, data: { ...CXR_ABLATION_DEFAULT.data, samplesPerReport: 1 } }), /samplesPerReport/);
  assert.throws(() => validateAblationConfig({ ...CXR_ABLATION_DEFAULT, ddpo: { ...CXR_ABLATION_DEFAULT.ddpo, skipSteps: { first: 5, last: 5 } } }), (e: Error) => e instanceof AblationConfigError && /ddpo\.skipSteps: leaves none of the 10 steps/.test(e.message));
  assert.equal(firstDifference(CXR_ABLATION_DEFAULT, structuredClone(CXR_ABLATION_DEFAULT)), null);
  assert.equal(firstDifference(CXR_ABLATION_DEFAULT, { ...CXR_ABLATION_DEFAULT, ddpo: { ...CXR_ABLATION_DEFAULT.ddpo, lr: 1 } }), 'ddpo.lr');
  assert.equal(firstDifference(CXR_ABLATION_DEFAULT, { ...CXR_ABLATION_DEFAULT, generator: { ...CXR_ABLATION_DEFAULT.generator, channelMult: [1, 2] } }), 'generator.channelMult.2');
});

function scores(p: number, d: number, c: number, agree: number, msSsim: number): ModelScores {
  return {
    samples: 100,
    rewards: { posture: { mean: p, sem: 0 }, diagnostic: { mean: d, sem: 0 }, consistency: { mean: c, sem: 0 } },
    oracle: { agree, total: 100, rate: wilsonInterval(agree, 100), failedCriteria: {} },
    msSsim,
  };
}

test('the table has a row per model; arms show signed deltas from the baseline, bold only where better', () => {
  const md = ablationTable([
    { name: 'real', label: 'Real', scores: scores(-0.02, 0.95, 0.6, 87, NaN) },
    { name: 'baseline', label: 'Baseline', scores: scores(-0.05, 0.8, 0.3, 20, 0.9) },
    { name: 'full', label: 'Full', scores: scores(-0.04, 0.85, 0.25, 35, 0.95) },
  ]);
  const lines = md.split('\n');
  assert.equal(lines.length, 2 + 3);
  const cells = (label: string) => lines.find((l) => l.startsWith(`| ${label} |`))!.split('|').slice(2, -1).map((s) => s.trim());
  const full = cells('Full');
  assert.equal(full[0], '**-0.040 (+0.010)**', 'posture went up: better');
  assert.equal(full[1], '**0.850 (+0.050)**');
  assert.equal(full[2], '0.250 (−0.050)', 'consistency fell: not bold');
  assert.match(full[3]!, /^\*\*35\.0 \(\+15\.0\)\*\* \[\d+\.\d–\d+\.\d\]$/);
  assert.equal(full[4], '0.950 (+0.050)', 'higher MS-SSIM (less diverse) is not an improvement');
  assert.ok(!cells('Baseline').some((c) => c.includes('(')), 'the baseline has no deltas');
  assert.equal(cells('Real')[4], '–', 'no diversity without two images of one report');
});

test('a change below the last shown digit is not marked as a gain', () => {
  const md = ablationTable([
    { name: 'baseline', label: 'Baseline', scores: scores(-0.05, 0.8, 0.3, 20, 0.9) },
    { name: 'tiny', label: 'Tiny', scores: scores(-0.0499, 0.8004, 0.2996, 20, 0.8999) },
  ]);
  const row = md.split('\n').find((l) => l.startsWith('| Tiny |'))!;
  assert.ok(!row.includes('**'), row);
  assert.match(row, /0\.800 \(\+0\.000\)/);
});
