// Demo stages: finetune the baseline with the learned plausibility reward, by
// policy gradient (DDPO-IS, Black et al.) and by reward-weighted likelihood (Sun et al.).
import { join } from 'node:path';
import { Progress } from '../../cli/progress.js';
import { DEFAULT_DDPO_CONFIG, type DdpoConfig, type DdpoIterationMetrics, runDdpo } from '../../align/ddpo.js';
import { readMetricsLog } from '../../align/run-state.js';
import { keepBestCheckpoint } from '../../align/checkpoint-choice.js';
import { exportGenerator } from '../../align/export.js';
import { GeneratorPolicy } from '../../align/generator-policy.js';
import { rewardTermsFor } from '../../align/reward-terms.js';
import { DEFAULT_RWL_CONFIG, type ImageSet, type RwlConfig, rateFreshSamples, runRwl } from '../../align/rwl.js';
import { rastersToNCHW } from '../../data/nchw.js';
import { Generator, dispose, tensor } from '../../engine/index.js';
import { loadGenerator } from '../../diffusion/generator.js';
import { createRunDir } from '../run-dir.js';
import type { MedloopConfig } from '../config.js';
import type { DemoContext, DemoData, TruthJudge } from './context.js';
import { type RatingsCounter, ratedBatches, ratingsRewardTerm } from './rated-reward.js';
import { stageRun } from './stage-run.js';

export interface AlignStageResult {
  method: 'ddpo' | 'rwl';
  runId: string;
  generatorDir: string;
  /** Mean training reward per iteration (DDPO) or the rated samples' mean reward (RWL). */
  rewardCurve: [number, number][];
  lossCurve: [number, number][];
  seconds: number;
  /** What DDPO maximised: the reward models, or the raters' verdicts on its batches (with the ratings it took). */
  feedback?: { kind: 'reward-model' } | ({ kind: 'ratings' } & RatingsCounter);
  /** DDPO with ddpoKeep best: the exported checkpoint, its score, and every checkpoint's windowed score (iteration, score). */
  kept?: { iteration: number; of: number; score: number; batches: [number, number]; window: number; curve: [number, number][] };
}

/** The DDPO run a workspace config asks for (align.*, sampling.*, seed), on `conditions`. */
export function ddpoConfigFor(config: MedloopConfig, conditions: string[], record: DdpoConfig['record']): DdpoConfig {
  const a = config.align;
  return {
    ...DEFAULT_DDPO_CONFIG,
    conditions,
    iterations: a.iterations,
    batchSize: a.batch,
    trainBatchSize: Math.max(4, a.batch / 2),
    innerEpochs: 1,
    timestepFraction: a.timestepFraction,
    skipSteps: a.skipSteps,
    conditionDraw: a.conditionDraw,
    advantages: { ...DEFAULT_DDPO_CONFIG.advantages, fallback: a.advantageFallback },
    lrWarmupUpdates: a.warmupUpdates,
    steps: config.sampling.steps,
    eta: 1,
    guidance: config.sampling.cfg,
    lr: a.lr,
    pretrainWeight: a.pretrainWeight,
    klToAnchor: a.klToAnchor,
    aceTokens: a.aceTokens,
    seed: config.seed,
    checkpointEvery: a.checkpointEvery ?? (a.ddpoKeep === 'best' ? 2 : Math.max(1, Math.floor(a.iterations / 4))),
    // Every checkpoint stays: the evaluation's reward-hacking guard walks them all.
    keepCheckpoints: a.iterations,
    record,
  };
}

export async function runDdpoStage(ctx: DemoContext, data: DemoData, judge: TruthJudge, baseline: { runId: string; runDir: string }): Promise<AlignStageResult> {
  const a = ctx.config.align;
  const t0 = performance.now();
  const policy = new GeneratorPolicy(loadGenerator(baseline.runDir));
  const byRatings = a.ddpoFeedback === 'ratings';
  const modelTerms = byRatings ? [] : await rewardTermsFor({ workspace: ctx.ws.dir }, a.rewards, a.comparative);
  const record = byRatings ? [{ name: 'ratings', weight: 1, comparative: false }] : modelTerms.map(({ name, weight, comparative }) => ({ name, weight, comparative }));
  const cfg = ddpoConfigFor(ctx.config, data.classes, { rewards: record, anchor: baseline.runId, data: data.path });
  // a killed demo resumes its DDPO run from the last checkpoint (exactly: the same batches follow)
  const { run, resume } = stageRun(ctx, 'align-ddpo', () => {
    const created = createRunDir(ctx.ws.dir, 'ddpo', cfg);
    ctx.ws.runs.register({ id: created.id, kind: 'align', parentId: baseline.runId, config: { method: 'ddpo', ...cfg }, data: data.path, rewardModels: modelTerms.map((r) => r.name), dir: created.dir });
    return created;
  });
  const rated = byRatings ? ratingsRewardTerm(ctx, data, judge, { dir: join(run.dir, 'ratings'), runId: run.id, ratersPerSample: a.ratingsPerSample }) : null;
  const rewards = rated ? [rated.term] : modelTerms;
  const progress = new Progress({ label: byRatings ? 'ddpo (rated)' : 'ddpo', total: cfg.iterations, silent: ctx.silent, resumable: resume });
  const real = cfg.pretrainWeight > 0 ? realImageSet(data) : undefined;
  const res = await runDdpo(cfg, {
    policy,
    rewards,
    ...(real ? { real } : {}),
    outDir: run.dir,
    resume,
    onIteration: (m) =>
      progress.set(m.iteration + 1, `reward ${m.reward.mean.toFixed(3)} kl ${m.approxKl.toExponential(1)} clip ${m.clipFraction.toFixed(2)}${rated ? ` ratings ${rated.counter.ratings}` : ''}`),
  });
  progress.finish();
  const kept = a.ddpoKeep === 'best' ? keepBestCheckpoint(run.dir, policy, a.keepWindow) : null;
  if (kept) ctx.log(`ddpo: kept iteration ${kept.iteration} of ${res.iteration}: mean batch reward ${kept.score.toFixed(3)} over iterations ${kept.batches[0] + 1}–${kept.batches[1] + 1}`);
  const generatorDir = exportGenerator(run.dir, policy, kept?.iteration ?? res.iteration);
  dispose(real?.images);
  policy.dispose();
  // the whole run's curves, a resumed run's earlier iterations included
  const history = readMetricsLog<DdpoIterationMetrics>(run.dir);
  // counted from the store: a resumed run's earlier batches count once, as rated
  const taken = rated ? ratedBatches(ctx.ws.dir, run.id) : null;
  ctx.ws.runs.finish(run.id, 'finished', {
    iterations: res.iteration,
    finalReward: history.at(-1)?.reward.mean ?? null,
    ...(taken ? { ratings: taken.ratings } : {}),
    ...(kept ? { keptIteration: kept.iteration, keptScore: kept.score } : {}),
  });
  return {
    method: 'ddpo',
    runId: run.id,
    generatorDir,
    rewardCurve: history.map((m) => [m.iteration + 1, m.reward.mean]),
    lossCurve: history.map((m) => [m.iteration + 1, m.loss]),
    seconds: (performance.now() - t0) / 1000,
    feedback: taken ? { kind: 'ratings', ...taken } : { kind: 'reward-model' },
    ...(kept ? { kept: { iteration: kept.iteration, of: res.iteration, score: kept.score, batches: kept.batches, window: kept.window, curve: kept.candidates.map((c) => [c.iteration, c.score] as [number, number]) } } : {}),
  };
}

/** The real training images as one tensor in [−1, 1] (RWL's β term and DDPO's pretraining loss). */
function realImageSet(data: DemoData): ImageSet {
  const nchw = rastersToNCHW(data.images, { channels: data.channels, range: [-1, 1] });
  return { images: tensor(nchw.data, nchw.shape), conditions: data.conditions };
}

export async function runRwlStage(ctx: DemoContext, data: DemoData, baseline: { runId: string; runDir: string }): Promise<AlignStageResult> {
  const a = ctx.config.align;
  const t0 = performance.now();
  const policy = new GeneratorPolicy(loadGenerator(baseline.runDir));
  const rewards = await rewardTermsFor({ workspace: ctx.ws.dir }, a.rewards, []);
  // Sun et al.: rated synthetic images weighted by the reward model's P(plausible), plus real images at weight β.
  const rated = await rateFreshSamples(policy, rewards, data.classes, a.rwl.ratedPerCondition, { steps: ctx.config.sampling.steps, eta: ctx.config.sampling.eta, guidance: ctx.config.sampling.cfg, batch: 32 }, new Generator(ctx.config.seed + 7));
  const real = realImageSet(data);
  const cfg: RwlConfig = {
    ...DEFAULT_RWL_CONFIG,
    steps: a.rwl.steps,
    syntheticBatch: a.rwl.batch,
    realBatch: a.rwl.batch,
    beta: a.beta,
    lr: a.rwl.lr,
    condDropout: a.rwl.condDropout,
    rewardBaseline: a.rwl.rewardBaseline,
    seed: ctx.config.seed,
    checkpointEvery: Math.max(1, Math.floor(a.rwl.steps / 4)),
    record: { rewards: a.rewards, anchor: baseline.runId, data: data.path },
  };
  const run = createRunDir(ctx.ws.dir, 'rwl', cfg);
  ctx.ws.runs.register({ id: run.id, kind: 'align', parentId: baseline.runId, config: { method: 'rwl', ...cfg }, data: data.path, rewardModels: rewards.map((r) => r.name), dir: run.dir });
  const progress = new Progress({ label: 'rwl', total: cfg.steps, silent: ctx.silent });
  const res = await runRwl(cfg, { policy, synthetic: rated, real, outDir: run.dir, onStep: (m) => progress.set(m.iteration + 1, `loss ${m.loss.toFixed(4)}`) });
  progress.finish();
  const kept = a.ddpoKeep === 'best' ? keepBestCheckpoint(run.dir, policy, a.keepWindow) : null;
  if (kept) ctx.log(`ddpo: kept iteration ${kept.iteration} of ${res.iteration}: mean batch reward ${kept.score.toFixed(3)} over iterations ${kept.batches[0] + 1}–${kept.batches[1] + 1}`);
  const generatorDir = exportGenerator(run.dir, policy, kept?.iteration ?? res.iteration);
  dispose([rated.images, real.images]);
  policy.dispose();
  ctx.ws.runs.finish(run.id, 'finished', { steps: res.iteration, ratedMeanReward: rated.summary.mean });
  return {
    method: 'rwl',
    runId: run.id,
    generatorDir,
    rewardCurve: [[0, rated.summary.mean]],
    lossCurve: res.history.map((m) => [m.iteration + 1, m.loss]),
    seconds: (performance.now() - t0) / 1000,
  };
}
