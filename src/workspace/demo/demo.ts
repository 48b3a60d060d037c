// `medloop demo`: the whole expert-in-the-loop cycle, stage by stage, resumable:
//   data → pretrain → study (rated through the real server) → reward model →
//   align (DDPO and RWL) → validation study (the raters pick the headline model) →
//   evaluate → report.html + metrics.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { initWorkspace } from '../workspace.js';
import { StageRunner } from '../stage-runner.js';
import type { AlignStageResult } from './align-stage.js';
import { runDdpoStage, runRwlStage } from './align-stage.js';
import type { DemoContext } from './context.js';
import { loadDemoData, prepareDataSource } from './data-stage.js';
import { runEvaluateStage } from './evaluate-stage.js';
import { type DemoSize, demoConfig } from './presets.js';
import { runPretrainStage } from './pretrain-stage.js';
import { runRewardStage } from './reward-stage.js';
import { runStudyStage } from './study-stage.js';
import { type ValidationStageResult, runValidationStage } from './validation-stage.js';

export interface DemoOptions {
  out: string;
  /** A real image folder/CSV instead of phantom cells. */
  data?: string;
  /** CI-sized; excludes `long`. */
  quick?: boolean;
  /** The full demo with four times the pretraining (a stronger baseline) and a longer, warmed-up DDPO. */
  long?: boolean;
  interactive?: boolean;
  seed?: number;
  /** No progress bars (tests). */
  silent?: boolean;
  log?: (line: string) => void;
}

/** What `<out>/metrics.json` holds (scripts read it). */
export interface DemoMetrics {
  seconds: Record<string, number>;
  baseline: Record<string, unknown>;
  /** The headline aligned model: the one the validation study's raters accepted most (or align.methods' first without one). */
  aligned: Record<string, unknown>;
  /** Every method's scores also stand under its own name. */
  ddpo?: Record<string, unknown>;
  rwl?: Record<string, unknown>;
  [key: string]: unknown;
}

export async function runDemo(opts: DemoOptions): Promise<DemoMetrics> {
  const out = resolve(opts.out);
  if (opts.quick && opts.long) throw new RangeError('medloop demo: --quick and --long are two sizes of the demo; choose one');
  const quick = Boolean(opts.quick);
  const size: DemoSize = quick ? 'quick' : opts.long ? 'long' : 'full';
  const log = opts.log ?? ((l: string) => console.error(l));
  const config = demoConfig(size, { ...(opts.data ? { data: opts.data } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
  // The demo's folder is a workspace; a re-run keeps its config so stages resume consistently.
  const configFile = join(out, 'medloop.yaml');
  const fresh = !existsSync(configFile);
  const ws = initWorkspace(out, `# written by medloop demo${size === 'full' ? '' : ` --${size}`}\n${toYaml(config)}`);
  if (!fresh) log(`demo: resuming in ${out} (${readFileSync(configFile, 'utf8').split('\n')[0]})`);
  const ctx: DemoContext = { ws, config: ws.config, quick, demoSize: size, interactive: Boolean(opts.interactive), log, silent: Boolean(opts.silent) };
  const stages = new StageRunner(out, log);
  const started = performance.now();
  try {
    // Data is rendered (phantoms) once, and loaded on every run: several stages read it.
    const source = await stages.run('data', () => prepareDataSource(ctx));
    const { data, judge } = await loadDemoData(ctx, source);
    const pretrain = await stages.run('pretrain', () => runPretrainStage(ctx, data));
    const study = await stages.run('study', () => runStudyStage(ctx, data, pretrain, judge));
    const reward = await stages.run('reward', () => runRewardStage(ctx, data, study.studyId));
    const aligned: AlignStageResult[] = [];
    for (const method of ctx.config.align.methods) {
      aligned.push(await stages.run(`align-${method}`, () => (method === 'ddpo' ? runDdpoStage(ctx, data, judge, pretrain) : runRwlStage(ctx, data, pretrain))));
    }
    const validation: ValidationStageResult | null =
      ctx.config.validation.samplesPerCondition > 0 ? await stages.run('validate', () => runValidationStage(ctx, data, judge, pretrain, aligned)) : null;
    const headline = validation?.selected ?? aligned[0]!.method;
    const evaluation = await stages.run('evaluate', () =>
      runEvaluateStage(ctx, data, judge, { baseline: pretrain, aligned, headline }, { study, validation, reward, pretrainLoss: pretrain.loss, seconds: stages.seconds }, out),
    );
    // a resumed demo's total counts the stages an earlier run finished, as they took then
    const seconds = { ...stages.seconds, total: (performance.now() - started) / 1000 + stages.skippedSeconds };
    const reportMetrics = JSON.parse(readFileSync(evaluation.metricsFile, 'utf8')) as Record<string, unknown>;
    const metrics: DemoMetrics = {
      seconds,
      baseline: { ...evaluation.models.baseline },
      aligned: { method: headline, ...evaluation.models[headline] },
      ...Object.fromEntries(aligned.map((a) => [a.method, { method: a.method, ...evaluation.models[a.method] }])),
      headline: { method: headline, chosenBy: validation ? 'validation study' : 'align.methods (first)' },
      data: { source: ctx.config.data.source, path: data.path, classes: data.classes, images: data.images.length, judge: data.judgeName },
      runs: { baseline: pretrain.runId, ...Object.fromEntries(aligned.map((a) => [a.method, a.runId])) },
      study,
      ...(validation ? { validation } : {}),
      reward,
      extractorAccuracy: evaluation.extractorAccuracy,
      noiseFloorFid: evaluation.noiseFloorFid,
      hacking: evaluation.hacking,
      report: reportMetrics,
    };
    writeFileSync(evaluation.metricsFile, JSON.stringify(metrics, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1));
    log(`\nreport:  ${evaluation.report}\nmetrics: ${evaluation.metricsFile}`);
    log(`time per stage: ${Object.entries(seconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}`);
    const b = metrics.baseline as { plausibility: number };
    for (const a of aligned) {
      const m = evaluation.models[a.method];
      log(`truth plausibility: baseline ${(b.plausibility * 100).toFixed(1)}% → ${a.method} ${((m?.plausibility ?? NaN) * 100).toFixed(1)}%${a.method === headline ? ' (headline)' : ''}`);
      if (m?.sideEffects) log(`  ${a.method}: ${m.sideEffects.message}`);
    }
    return metrics;
  } finally {
    ws.close();
  }
}
