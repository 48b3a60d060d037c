import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setNumThreads, tidy } from '../../src/engine/index.js';
import { decodePng } from '../../src/data/png-decode.js';
import { loadGenerator } from '../../src/diffusion/generator.js';
import { cxrAblationArms } from '../../src/workspace/ablation/arms.js';
import { AblationConfigError, CXR_ABLATION_DEFAULT, type CxrAblationConfig } from '../../src/workspace/ablation/config.js';
import { type CxrAblationResult, runCxrAblation } from '../../src/workspace/ablation/run-ablation.js';

setNumThreads(1);

/** The whole pipeline at a toy size: 16×16 phantoms, a few steps of everything (seconds). */
const TOY: CxrAblationConfig = {
  ...CXR_ABLATION_DEFAULT,
  seed: 3,
  imageSize: 16,
  data: { trainImages: 40, heldOutReports: 4, samplesPerReport: 2 },
  generator: { baseChannels: 8, channelMult: [1, 2], textDim: 16, textLayers: 1, maxLength: 40 },
  pretrain: { steps: 4, batchSize: 8, lr: 1e-3, warmupSteps: 1, emaDecay: 0.9, checkpointEvery: 2 },
  rewardNets: { postureSteps: 5, diagnosticEpochs: 1, consistencyEpochs: 1 },
  calibrationSamples: 4,
  ddpo: { ...CXR_ABLATION_DEFAULT.ddpo, iterations: 2, batchSize: 4, trainBatchSize: 4, steps: 3, lr: 1e-3, checkpointEvery: 1 },
  gridColumns: 3,
};

const armNames = cxrAblationArms().map((a) => a.name);

test('the ablation runs end to end at a toy size and writes the table, the JSON with every arm, and the grid', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ablation-cxr-'));
  try {
    const lines: string[] = [];
    const res = await runCxrAblation({ out, config: TOY, silent: true, log: (l) => lines.push(l) });
    const json = JSON.parse(readFileSync(join(out, 'ablation.json'), 'utf8')) as CxrAblationResult;

    // every arm, and the rows: real reference, baseline, then the arms in order
    assert.deepEqual(json.arms.map((a) => a.name), armNames);
    assert.deepEqual(json.rows.map((r) => r.name), ['real', 'baseline', ...armNames]);
    const n = TOY.data.heldOutReports * TOY.data.samplesPerReport;
    for (const row of json.rows.slice(1)) {
      assert.equal(row.scores.samples, n, row.name);
      assert.equal(row.scores.oracle.total, n);
      const { estimate, lo, hi } = row.scores.oracle.rate;
      assert.ok(lo <= estimate && estimate <= hi && lo >= 0 && hi <= 1, `${row.name}: Wilson interval [${lo}, ${hi}] around ${estimate}`);
      assert.equal(estimate, row.scores.oracle.agree / n);
      for (const r of ['posture', 'diagnostic', 'consistency'] as const) assert.ok(Number.isFinite(row.scores.rewards[r].mean), `${row.name} ${r}`);
      assert.ok(row.scores.rewards.posture.mean <= 0, 'posture is minus a distance');
      assert.ok(Number.isFinite(row.scores.msSsim), `${row.name}: diversity from 2 samples per report`);
    }
    assert.equal(json.rows[0]!.scores.samples, TOY.data.heldOutReports);

    // DDPO changed every arm: same noise and reports as the baseline, other samples
    const base = json.rows[1]!.scores.rewards;
    for (const row of json.rows.slice(2)) assert.notDeepEqual(row.scores.rewards, base, `${row.name} samples like the baseline`);

    // each arm's bundle loads with its ACE tokens, or none
    for (const arm of json.arms) {
      const gen = loadGenerator(arm.run.generatorDir);
      assert.equal(gen.appendedTokens?.dim(0) ?? 0, arm.aceTokens, arm.name);
      gen.dispose();
      assert.equal(arm.run.iterationsRun, TOY.ddpo.iterations);
      assert.deepEqual(arm.rewardsWithWeights.map((w) => w.comparative), arm.rewards.map((r) => arm.comparative.includes(r)));
      assert.ok(arm.rewardsWithWeights.every((w) => w.weight > 0 && Number.isFinite(w.weight)));
    }

    // DDPO trained only the parameters the config names (the UNet's attention and condition projection)
    const base0 = loadGenerator(join(out, 'generator'));
    const full = loadGenerator(json.arms[0]!.run.generatorDir);
    const fullWeights = full.stateDict();
    const changed = [...base0.stateDict()].filter(([k, t]) => tidy(() => t.sub(fullWeights.get(k)!).abs().sum().item()) > 0).map(([k]) => k);
    assert.ok(changed.length > 0);
    assert.ok(changed.every((k) => TOY.trainable.some((p) => new RegExp(p).test(k))), `frozen weights changed: ${changed.filter((k) => !TOY.trainable.some((p) => new RegExp(p).test(k)))}`);
    base0.dispose();
    full.dispose();

    // the markdown carries the same table; one line per row
    const md = readFileSync(join(out, 'ablation.md'), 'utf8');
    assert.ok(md.includes(res.table));
    for (const row of json.rows) assert.ok(res.table.split('\n').some((l) => l.startsWith(`| ${row.label} |`)), row.label);

    // grid: one row per model, gridColumns samples, upscaled ×2 with 2-px gaps
    const grid = decodePng(readFileSync(join(out, 'samples.png')), 'samples.png');
    const cols = TOY.gridColumns;
    assert.equal(grid.width, cols * 2 * TOY.imageSize + (cols - 1) * 2);
    assert.equal(grid.height, json.rows.length * 2 * TOY.imageSize + (json.rows.length - 1) * 2);

    for (const stage of ['pretrain', 'reward-nets', 'calibration', 'evaluate', ...armNames.map((a) => `arm-${a}`)]) {
      assert.ok(typeof res.seconds[stage] === 'number' && res.seconds[stage]! >= 0, `seconds of ${stage}`);
    }

    // a re-run reuses every finished stage and reports the same table
    const again = await runCxrAblation({ out, config: TOY, silent: true, log: (l) => lines.push(l) });
    assert.equal(again.table, res.table);
    assert.ok(lines.filter((l) => /already finished/.test(l)).length >= 4 + armNames.length);

    // other settings in the same folder are refused, naming the key
    await assert.rejects(runCxrAblation({ out, config: { ...TOY, ddpo: { ...TOY.ddpo, lr: 5e-4 } }, silent: true, log: () => {} }), (e: Error) => e instanceof AblationConfigError && /ddpo\.lr/.test(e.message));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('an interrupted ablation resumes: a stage without its marker is redone from what is on disk', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ablation-cxr-'));
  try {
    const first = await runCxrAblation({ out, config: TOY, silent: true, log: () => {} });
    // as if killed during the w/o-ACE arm: its marker and bundle gone, its checkpoints kept
    rmSync(join(out, 'stages', 'arm-no-ace.json'));
    rmSync(join(out, 'stages', 'evaluate.json'));
    rmSync(join(out, 'arms', 'no-ace', 'generator'), { recursive: true });
    const second = await runCxrAblation({ out, config: TOY, silent: true, log: () => {} });
    assert.ok(existsSync(join(out, 'arms', 'no-ace', 'generator', 'state.json')));
    const noAce = second.arms.find((a) => a.name === 'no-ace')!;
    assert.equal(noAce.run.iterationsRun, 0, 'the arm had checkpointed its last iteration: nothing left to run');
    // resumed from its final checkpoint, the arm's weights and so its scores are the same
    assert.equal(second.table, first.table);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
