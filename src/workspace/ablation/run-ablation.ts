// The CXR ablation, top to bottom (issue 8; CXRL's Tables 1–2 on phantoms):
//   data        phantom chest X-rays with reports (training set, held-out reports)
//   pretrain    a small report-conditioned generator          <out>/generator/
//   reward-nets posture regressor, findings classifier, dual encoder  <out>/rewards/
//   calibration reward weights from the baseline's reward spreads
//   arm-*       DDPO per arm from the same generator and seed  <out>/arms/<name>/
//   evaluate    real phantoms, baseline and every arm on the same held-out
//               reports and noise → ablation.json, ablation.md, samples.png
// Finished stages leave markers (<out>/stages/) and are skipped on a re-run; the
// long ones (pretraining, DDPO) also resume from their own checkpoints.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Progress } from '../../cli/progress.js';
import { encodePng } from '../../data/png.js';
import { deriveSeed } from '../../data/phantoms/index.js';
import type { Raster } from '../../data/raster.js';
import { loadGenerator } from '../../diffusion/generator.js';
import { tileRasters } from '../../eval/report/image-grid.js';
import { StageRunner } from '../stage-runner.js';
import { type AblationArm, CXR_REWARDS, type CxrRewardName, cxrAblationArms } from './arms.js';
import { type ArmRun, armRewardTerms, runArm } from './arm-run.js';
import { AblationConfigError, type CxrAblationConfig, firstDifference, validateAblationConfig } from './config.js';
import { ablationData } from './cxr-data.js';
import { evaluationConditions, sampleForEvaluation, scoreImages } from './model-scores.js';
import { pretrainedGenerator } from './pretrained-generator.js';
import { type CxrRewardNets, cxrRewardFunctions, cxrRewardNets, disposeRewardNets } from './reward-nets.js';
import { type RewardCalibration, calibrateRewardWeights } from './reward-weights.js';
import { type AblationRow, ablationTable } from './table.js';

export interface CxrAblationOptions {
  out: string;
  config: CxrAblationConfig;
  /** No progress bars. */
  silent?: boolean;
  log?: (line: string) => void;
}

export interface CxrAblationResult {
  out: string;
  config: CxrAblationConfig;
  arms: (AblationArm & { rewardsWithWeights: { name: string; weight: number; comparative: boolean }[]; run: ArmRun })[];
  rewardNets: CxrRewardNets['metrics'];
  calibration: Record<CxrRewardName, RewardCalibration>;
  evaluation: { heldOutReports: number; samplesPerReport: number; steps: number; guidance: number; seed: number };
  /** Real reference, baseline, then the arms. */
  rows: AblationRow[];
  /** Seconds per stage (as recorded when each stage finished) and their sum. */
  seconds: Record<string, number>;
  /** Wall-clock seconds of this call (small when it reused finished stages). */
  secondsThisCall: number;
  table: string;
  files: { json: string; markdown: string; grid: string };
}

export async function runCxrAblation(opts: CxrAblationOptions): Promise<CxrAblationResult> {
  const out = resolve(opts.out);
  const cfg = opts.config;
  const log = opts.log ?? ((l: string) => console.error(l));
  const silent = Boolean(opts.silent);
  validateAblationConfig(cfg);
  checkConfigFile(out, cfg);
  const started = performance.now();
  const stages = new StageRunner(out, log);

  let t0 = performance.now();
  const { train, heldOut } = ablationData(cfg);
  stages.seconds.data = (performance.now() - t0) / 1000;
  log(`data: ${train.images.length} training phantoms, ${heldOut.reports.length} held-out reports (${cfg.imageSize}×${cfg.imageSize} grey) in ${stages.seconds.data.toFixed(1)} s`);

  const pretrained = await stages.run('pretrain', () => {
    const p = new Progress({ label: 'pretrain', total: cfg.pretrain.steps, silent });
    const r = pretrainedGenerator(out, cfg, train, (s) => p.set(s.step, `loss ${s.loss.toFixed(4)}`));
    p.finish();
    return r;
  });

  // The nets are needed by every later stage: trained once, loaded on a re-run.
  let nets: CxrRewardNets | undefined;
  const rewardNets = await stages.run('reward-nets', () => {
    const bars = new Map<string, Progress>();
    nets = cxrRewardNets(out, cfg, train, (name, p) => {
      if (!bars.has(name)) bars.set(name, new Progress({ label: `reward ${name}`, total: p.steps, silent }));
      bars.get(name)!.set(p.step, `loss ${p.loss.toFixed(4)}`);
    });
    return nets.metrics;
  });
  nets ??= cxrRewardNets(out, cfg, train);
  try {
    const rewards = cxrRewardFunctions(nets);
    const sampling = { steps: cfg.ddpo.steps, guidance: cfg.ddpo.guidance };

    const calibration = await stages.run('calibration', async () => {
      const gen = loadGenerator(pretrained.dir);
      try {
        const conditions = train.reports.slice(0, cfg.calibrationSamples);
        const images = sampleForEvaluation(gen, conditions, { ...sampling, seed: deriveSeed(cfg.seed, 'calibration') });
        return calibrateRewardWeights(images, conditions, rewards);
      } finally {
        gen.dispose();
      }
    });
    const weights = Object.fromEntries(CXR_REWARDS.map((r) => [r, calibration[r].weight])) as Record<CxrRewardName, number>;
    log(`reward weights (1 / baseline std): ${CXR_REWARDS.map((r) => `${r} ${weights[r].toFixed(2)}`).join(', ')}`);

    const arms = cxrAblationArms(cfg.aceTokens);
    const runs: Record<string, ArmRun> = {};
    for (const arm of arms) {
      runs[arm.name] = await stages.run(`arm-${arm.name}`, async () => {
        const p = new Progress({ label: `ddpo ${arm.name}`, total: cfg.ddpo.iterations, silent });
        const r = await runArm(out, arm, {
          cfg,
          baseGenerator: pretrained.dir,
          conditions: train.reports,
          weights,
          rewards,
          onIteration: (m) => p.set(m.iteration + 1, `reward ${m.reward.mean.toFixed(3)} ${Object.entries(m.rewards).map(([k, v]) => `${k} ${v.mean.toFixed(3)}`).join(' ')}`),
        });
        p.finish();
        return r;
      });
    }

    const evaluationSeed = deriveSeed(cfg.seed, 'evaluation');
    const conditions = evaluationConditions(heldOut.reports, cfg.data.samplesPerReport);
    const gridIndex = Array.from({ length: Math.min(cfg.gridColumns, heldOut.reports.length) }, (_, k) => k * cfg.data.samplesPerReport);
    const gridFile = join(out, 'samples.png');
    const rows = await stages.run('evaluate', async () => {
      const models = [{ name: 'baseline', label: 'Baseline (pretrained)', dir: pretrained.dir }, ...arms.map((a) => ({ name: a.name, label: a.label, dir: runs[a.name]!.generatorDir }))];
      const p = new Progress({ label: 'evaluate', total: models.length + 1, silent });
      const rows: AblationRow[] = [{ name: 'real', label: 'Real phantoms (reference)', scores: await scoreImages(heldOut.images, heldOut.reports, rewards) }];
      const grid: Raster[] = gridIndex.map((i) => heldOut.images[i / cfg.data.samplesPerReport]!);
      p.tick(1, 'real');
      for (const m of models) {
        const gen = loadGenerator(m.dir);
        let images: Raster[];
        try {
          images = sampleForEvaluation(gen, conditions, { ...sampling, seed: evaluationSeed });
        } finally {
          gen.dispose();
        }
        rows.push({ name: m.name, label: m.label, scores: await scoreImages(images, conditions, rewards) });
        grid.push(...gridIndex.map((i) => images[i]!));
        p.tick(1, m.name);
      }
      writeFileSync(gridFile, encodePng(tileRasters(grid, { columns: gridIndex.length, scale: 2 })));
      return rows;
    });

    // stages reused from an earlier call count with their recorded time: the total is the experiment's
    const seconds = { ...stages.seconds, total: Object.values(stages.seconds).reduce((a, b) => a + b, 0) };
    const table = ablationTable(rows);
    const result: CxrAblationResult = {
      out,
      config: cfg,
      arms: arms.map((a) => ({ ...a, rewardsWithWeights: armRewardTerms(a, weights), run: runs[a.name]! })),
      rewardNets,
      calibration,
      evaluation: { heldOutReports: heldOut.reports.length, samplesPerReport: cfg.data.samplesPerReport, ...sampling, seed: evaluationSeed },
      rows,
      seconds,
      secondsThisCall: (performance.now() - started) / 1000,
      table,
      files: { json: join(out, 'ablation.json'), markdown: join(out, 'ablation.md'), grid: gridFile },
    };
    writeFileSync(result.files.json, JSON.stringify(result, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1));
    writeFileSync(result.files.markdown, ablationMarkdown(result, gridIndex.map((i) => conditions[i]!)));
    return result;
  } finally {
    disposeRewardNets(nets);
  }
}

/** <out>/config.json pins the settings: a re-run with other settings would mix two experiments. */
function checkConfigFile(out: string, cfg: CxrAblationConfig): void {
  const file = join(out, 'config.json');
  if (existsSync(file)) {
    const old = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const diff = firstDifference(old, cfg);
    if (diff) throw new AblationConfigError(file, `this folder holds an ablation with other settings (first difference: ${diff}); use another --out, or delete the folder to start over`);
    return;
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(file, JSON.stringify(cfg, null, 1));
}

function ablationMarkdown(r: CxrAblationResult, gridReports: string[]): string {
  const c = r.config;
  const armLines = r.arms.map(
    (a) =>
      `| ${a.label} | ${a.rewardsWithWeights.map((w) => `${w.name} ×${w.weight.toFixed(2)}${w.comparative ? ' (RLCF)' : ''}`).join(', ')} | ${a.aceTokens || '–'} | ${(r.seconds[`arm-${a.name}`] ?? NaN).toFixed(0)} |`,
  );
  return [
    '# CXR ablation: DDPO with posture, diagnostic and consistency rewards (phantoms)',
    '',
    `Phantom chest X-rays (${c.imageSize}×${c.imageSize} grey) with templated reports. A report-conditioned generator pretrained for ${c.pretrain.steps} steps on ${c.data.trainImages} phantoms, finetuned by DDPO (${c.ddpo.iterations} iterations × ${c.ddpo.batchSize} samples, ${c.ddpo.steps} DDIM steps, η = 1, guidance ${c.ddpo.guidance}, lr ${c.ddpo.lr}) in each arm from the same weights and seed.`,
    `Evaluated on ${r.evaluation.heldOutReports} held-out reports × ${r.evaluation.samplesPerReport} samples, the same noise for every model. Rewards are absolute scores (never relative to the anchor); oracle agreement = share of samples the phantom oracle (judgeCxr: posture and every finding, stated vs seen) accepts for their report, which no arm optimises. Bold: better than the baseline; deltas in parentheses.`,
    '',
    r.table,
    '',
    '## Arms',
    '',
    '| Arm | Rewards × weight | ACE tokens | DDPO seconds |',
    '|---|---|---:|---:|',
    ...armLines,
    '',
    `Weights are 1 / (each reward's std over ${c.calibrationSamples} baseline samples): ${CXR_REWARDS.map((n) => `${n} std ${r.calibration[n].std.toFixed(4)}`).join(', ')}.`,
    '',
    '## Stages (seconds)',
    '',
    Object.entries(r.seconds)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(' · '),
    '',
    '## Samples',
    '',
    `![samples](samples.png) — rows: ${r.rows.map((x) => x.label).join('; ')}. Columns: the first ${gridReports.length} held-out reports:`,
    '',
    ...gridReports.map((t, i) => `${i + 1}. ${t}`),
    '',
  ].join('\n');
}
