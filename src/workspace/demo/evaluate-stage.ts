// Demo stage: evaluate the baseline and the aligned generators on the same seeds:
// truth plausibility (oracle / held-out judge), FID, PRDC and diversity in a domain
// classifier's feature space, the reward-hacking guard along DDPO's checkpoints,
// and the HTML report with grids and curves.
import { join } from 'node:path';
import { rewardTermsFor } from '../../align/reward-terms.js';
import { scoreRewards } from '../../align/reward-mix.js';
import type { Raster } from '../../data/raster.js';
import { type DiffusionGenerator, loadGenerator } from '../../diffusion/generator.js';
import { type Tensor, dispose, listCheckpoints, loadCheckpoint, tidy } from '../../engine/index.js';
import { defaultClassifierDir, disposeDomainData, domainClassifier, loadDomainData } from '../../eval/domain-classifier.js';
import { type SampleSet, evaluateSampleSets } from '../../eval/evaluate.js';
import { evaluationReportData } from '../../eval/evaluation-report.js';
import { classifierFeatureExtractor, classifierFeatureHead, rastersToTensor } from '../../eval/feature-extractor.js';
import { type GuardPoint, hackingGuard } from '../../eval/hacking-guard.js';
import { type PairedComparison, pairedComparison } from '../../eval/metrics/paired-comparison.js';
import { type PlausibilityResult, plausibilityRate } from '../../eval/metrics/plausibility.js';
import { writeReport } from '../../eval/report/write-report.js';
import { type SideEffects, setSideEffects } from '../../eval/side-effects.js';
import type { AlignStageResult } from './align-stage.js';
import type { DemoContext, DemoData, TruthJudge } from './context.js';
import type { RewardStageResult } from './reward-stage.js';
import { type SampledSet, sampleSet } from './sample-stage.js';
import type { StudyStageResult } from './study-stage.js';
import type { ValidationStageResult } from './validation-stage.js';

export interface ModelScores {
  /** Share of fresh samples the truth judge accepts for their intended class (0–1). */
  plausibility: number;
  plausibilityCi: [number, number];
  perCondition: Record<string, number>;
  /** Mean reward-model P(plausible) of the same samples (what training optimised). */
  rewardModel: number;
  fid: number;
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  /** Mean within-class MS-SSIM (lower = more diverse). */
  msSsim: number;
  /** Share of the samples the domain classifier assigns to their intended class. */
  classAgreement: number;
  /** Aligned models: truth verdicts paired with the baseline's on the same seeds (gained, lost, difference, McNemar p). */
  vsBaseline?: PairedComparison;
  /** Aligned models: diversity (recall, MS-SSIM) and fidelity (FID) against the baseline's, held or lost. */
  sideEffects?: SideEffects;
}

export interface EvaluateStageResult {
  report: string;
  metricsFile: string;
  models: Record<string, ModelScores>;
  extractorAccuracy: number;
  noiseFloorFid: number;
  hacking: { flagged: boolean; message: string };
}

interface Named {
  name: string;
  label: string;
  dir: string;
}

export async function runEvaluateStage(
  ctx: DemoContext,
  data: DemoData,
  judge: TruthJudge,
  runs: { baseline: { runId: string; runDir: string }; aligned: AlignStageResult[]; /** The reported aligned model (the report's cards describe it). */ headline: string },
  extras: { study: StudyStageResult; validation: ValidationStageResult | null; reward: RewardStageResult; pretrainLoss: number; seconds: Record<string, number> },
  outDir: string,
): Promise<EvaluateStageResult> {
  const e = ctx.config.eval;
  const s = ctx.config.sampling;
  const models: Named[] = [{ name: 'baseline', label: `baseline (${runs.baseline.runId})`, dir: runs.baseline.runDir }, ...runs.aligned.map((a) => ({ name: a.method, label: `${a.method} (${a.runId})`, dir: a.generatorDir }))];
  const rewards = await rewardTermsFor({ workspace: ctx.ws.dir }, ctx.config.align.rewards, []);
  const spec = { classes: data.classes, perCondition: e.samplesPerCondition, steps: s.steps, eta: s.eta, cfg: s.cfg, seed: ctx.config.seed + 9001 };

  // 1. the same seeds for every model: fresh samples, truth judgements, reward-model scores
  const sampled: { model: Named; set: SampledSet; verdicts: boolean[]; truth: PlausibilityResult; reward: number }[] = [];
  for (const model of models) {
    ctx.log(`evaluate: sampling ${spec.perCondition * data.classes.length} images from ${model.label}`);
    const gen = loadGenerator(model.dir);
    const set = sampleSet(gen, spec);
    gen.dispose();
    const verdicts = set.images.map((img, i) => judge(img, set.conditions[i]!).plausible);
    const truth = plausibilityRate(verdicts.map((plausible, i) => ({ plausible, condition: set.conditions[i]! })));
    sampled.push({ model, set, verdicts, truth, reward: await meanReward(rewards, set, data.channels) });
  }

  // 2. fidelity and diversity in the domain classifier's feature space
  const domain = await loadDomainData(data.path, { size: data.size, channels: data.channels, seed: ctx.config.seed });
  // A floor on optimiser steps, not epochs: on a 1,000-image phantom set 8 epochs are 120 steps,
  // which left the classifier at chance (25%) and every FID meaningless; 150 steps reach 99–100%.
  const epochSteps = Math.floor(domain.train.images.dim(0) / 64);
  const steps = Math.max(150, (ctx.quick ? 3 : 6) * epochSteps);
  const classifier = domainClassifier(domain, defaultClassifierDir(data.path, data.size, ctx.config.seed, ctx.ws.dir), { steps, seed: ctx.config.seed });
  ctx.log(`evaluate: domain classifier held-out accuracy ${(classifier.heldOutAccuracy * 100).toFixed(1)}%`);
  const sets: SampleSet[] = sampled.map(({ model, set }) => ({ name: model.name, images: rastersToTensor(set.images, data.channels), conditions: set.conditions, rasters: set.images }));
  const reference = { images: domain.heldOut.images, conditions: domain.heldOut.labels.map((l) => domain.classNames[l]!) };
  const result = evaluateSampleSets(reference, sets, {
    extractor: classifierFeatureExtractor(classifier.net),
    classify: classifierFeatureHead(classifier.net),
    classNames: domain.classNames,
    bootstrap: ctx.quick ? 30 : 200,
    seed: ctx.config.seed,
    minPerCondition: Math.min(20, e.samplesPerCondition),
    diversityPairs: ctx.quick ? 20 : 60,
    onStage: (m) => ctx.log(`evaluate: ${m}`),
  });

  // 3. reward-hacking guard: the reward model (optimised) against the truth judge (never optimised) along DDPO
  const ddpo = runs.aligned.find((a) => a.method === 'ddpo');
  const series = ddpo ? await guardSeries(ctx, data, judge, rewards, runs.baseline.runDir, ddpo) : [];
  const guard = hackingGuard(series);

  const modelScores: Record<string, ModelScores> = {};
  const baselineVerdicts = sampled[0]!.verdicts;
  for (const { model, truth, reward, verdicts } of sampled) {
    const ev = result.sets.find((x) => x.name === model.name)!;
    modelScores[model.name] = {
      plausibility: truth.rate.estimate,
      plausibilityCi: [truth.rate.lo, truth.rate.hi],
      perCondition: Object.fromEntries(Object.entries(truth.perCondition).map(([c, r]) => [c, r.rate.estimate])),
      rewardModel: reward,
      fid: ev.fid.estimate,
      precision: ev.prdc.precision,
      recall: ev.prdc.recall,
      density: ev.prdc.density,
      coverage: ev.prdc.coverage,
      msSsim: ev.diversity.mean,
      classAgreement: ev.classAgreement?.rate.estimate ?? NaN,
      ...(model.name === 'baseline' ? {} : { vsBaseline: pairedComparison(baselineVerdicts, verdicts) }),
    };
    // the same verdict the report's card shows: one function of the same evaluated sets
    const effects = model.name === 'baseline' ? null : setSideEffects(result.sets.find((x) => x.name === 'baseline')!, ev, { noiseFloorFid: result.reference.noiseFloor.fid });
    if (effects) modelScores[model.name]!.sideEffects = effects;
  }

  const report = evaluationReportData(result, {
    title: 'medloop: expert-in-the-loop alignment',
    subtitle: `${data.judgeName === 'phantom-oracle' ? 'Phantom blood cells, judged by the exact oracle' : `Real images (${data.path}), judged by a held-out classifier`}; ${ctx.demoSize} demo`,
    meta: { data: data.path, classes: data.classes.length, 'training images': data.images.length, baseline: runs.baseline.runId, ...Object.fromEntries(runs.aligned.map((a) => [a.method, a.runId])), 'study answers': extras.study.answers },
    grids: [...sampled.map(({ model, set }) => ({ name: model.name, rasters: set.images, conditions: set.conditions })), { name: 'real', rasters: data.images, conditions: data.conditions }],
    perPanel: Math.min(6, e.samplesPerCondition),
    study: {
      agreement: extras.study.agreement,
      plausibility: {
        ...Object.fromEntries(sampled.map(({ model, truth }) => [model.name, truth])),
        ...Object.fromEntries(Object.entries(extras.validation?.rated ?? {}).map(([name, r]) => [`${name}, raters`, r])),
      },
      goldAccuracy: Object.fromEntries(Object.entries(extras.study.goldAccuracy).filter((kv): kv is [string, number] => kv[1] !== null)),
      note: `Columns named after a model are the truth judge (${data.judgeName}) on fresh samples with the same seeds for every model${extras.validation ? `; columns “…, raters” are the validation study (${extras.validation.answers} answers on ${extras.validation.items} samples, blinded and mixed), whose raters chose the headline model (${extras.validation.selected})` : ''}; the first rating study (${extras.study.answers} answers, ${extras.study.items} items) trained the reward model.`,
    },
    hacking: { series, result: guard, rewardName: 'reward model P(plausible)', evaluatorName: data.judgeName },
    curves: [
      ...runs.aligned.filter((a) => a.rewardCurve.length > 1).map((a) => ({ title: `${a.method}: mean training reward per iteration${a.feedback?.kind === 'ratings' ? ' (share of ratings “plausible”)' : ''}`, xLabel: 'iteration', yLabel: 'reward', series: [{ name: 'reward', points: a.rewardCurve }, ...(a.kept ? [{ name: `mean over ${a.kept.window} iterations around each checkpoint`, points: a.kept.curve }] : [])] })),
      ...runs.aligned.map((a) => ({ title: `${a.method}: loss`, xLabel: 'step', yLabel: 'loss', series: [{ name: 'loss', points: a.lossCurve }] })),
    ],
    notes: [
      'Sun et al. 2023 (reward-weighted likelihood with β × pretraining loss); Black et al. 2023 (DDPO-IS); Han et al. 2024 (CXRL: several rewards, comparative feedback, adaptive condition embeddings).',
      ...runs.aligned.flatMap((a) =>
        a.feedback?.kind === 'ratings'
          ? [`${a.method} was rewarded by the raters themselves, not by the reward model: each of its ${a.feedback.studies} batches was a blinded study (${a.feedback.ratings} ratings in all), an image's reward the share of its raters who said plausible.`]
          : [],
      ),
      ...runs.aligned.flatMap((a) =>
        a.kept
          ? [`${a.method} exported the checkpoint at iteration ${a.kept.iteration} of ${a.kept.of}: its neighbouring batches (iterations ${a.kept.batches[0] + 1}–${a.kept.batches[1] + 1}) had the best mean training reward, ${a.kept.score.toFixed(3)} (align.ddpoKeep: best). That maximum is biased upwards; the figures here come from fresh samples.`]
          : [],
      ),
      'FID, precision, recall, density and coverage are computed on the pooled features of a CNN trained on the real training split (domain features instead of ImageNet Inception); the noise floor is the FID between two disjoint halves of the real held-out images.',
    ],
    metrics: { extractorAccuracy: classifier.heldOutAccuracy, models: modelScores, reward: extras.reward, seconds: extras.seconds },
    // the cards describe the reported aligned model, not whichever was evaluated last
    headlineSet: runs.headline,
  });
  report.headlines = [
    ...sampled.map(({ model, truth }) => ({
      label: `truth plausibility: ${model.name}`,
      value: { estimate: truth.rate.estimate, lo: truth.rate.lo, hi: truth.rate.hi },
      hint: `${truth.plausible}/${truth.total} samples accepted`,
      tone: model.name === 'baseline' ? ('neutral' as const) : truth.rate.estimate > sampled[0]!.truth.rate.estimate ? ('good' as const) : ('bad' as const),
    })),
    ...sampled.slice(1).map(({ model }) => {
      const c = modelScores[model.name]!.vsBaseline!;
      return {
        label: `paired change vs baseline: ${model.name}`,
        value: c.difference,
        hint: `same seeds: ${c.gained} gained, ${c.lost} lost of ${c.pairs}; McNemar p = ${c.pValue < 0.001 ? c.pValue.toExponential(1) : c.pValue.toFixed(3)}`,
        tone: c.pValue < 0.05 ? (c.difference.estimate > 0 ? ('good' as const) : ('bad' as const)) : ('neutral' as const),
      };
    }),
    ...(extras.validation ? [validationCard(extras.validation)] : []),
    ...(report.headlines ?? []),
  ];
  const written = writeReport(outDir, report);
  dispose(sets.map((x) => x.images));
  classifier.net.dispose();
  disposeDomainData(domain);
  return {
    report: written.html,
    metricsFile: written.json,
    models: modelScores,
    extractorAccuracy: classifier.heldOutAccuracy,
    noiseFloorFid: result.reference.noiseFloor.fid,
    hacking: { flagged: guard.flagged, message: guard.message },
  };
}

/** The report card of the validation study: which aligned model its raters chose, and every model's rated share. */
function validationCard(v: ValidationStageResult) {
  const r = v.rated[v.selected]!;
  return {
    label: `validation study: raters chose ${v.selected}`,
    value: { estimate: r.rate.estimate, lo: r.rate.lo, hi: r.rate.hi },
    hint: Object.entries(v.rated)
      .map(([m, x]) => `${m} ${x.plausible}/${x.total}`)
      .join(', ') + ' answers plausible',
    tone: v.beatsBaseline ? ('good' as const) : ('bad' as const),
  };
}

async function meanReward(rewards: Awaited<ReturnType<typeof rewardTermsFor>>, set: SampledSet, channels: 1 | 3): Promise<number> {
  const x = tidy(() => rastersToTensor(set.images, channels).mul(2).sub(1));
  const scores = await scoreRewards(rewards, x, set.conditions);
  x.dispose();
  return scores.total.reduce((a, b) => a + b, 0) / Math.max(1, scores.total.length);
}

/** Reward-model score and truth rate of small fresh sample sets at each DDPO checkpoint. */
async function guardSeries(ctx: DemoContext, data: DemoData, judge: TruthJudge, rewards: Awaited<ReturnType<typeof rewardTermsFor>>, baselineDir: string, ddpo: AlignStageResult): Promise<GuardPoint[]> {
  const ckpts = listCheckpoints(join(ddpo.generatorDir, '..', 'checkpoints')).reverse();
  const gen: DiffusionGenerator = loadGenerator(baselineDir);
  const spec = { classes: data.classes, perCondition: ctx.quick ? 2 : 4, steps: ctx.config.sampling.steps, eta: 1, cfg: ctx.config.sampling.cfg, seed: ctx.config.seed + 4242 };
  const points: GuardPoint[] = [];
  const evaluate = async (step: number) => {
    const set = sampleSet(gen, spec);
    const truth = set.images.filter((img, i) => judge(img, set.conditions[i]!).plausible).length / set.images.length;
    points.push({ step, reward: await meanReward(rewards, set, data.channels), evaluator: truth });
  };
  await evaluate(0);
  for (const c of ckpts) {
    const ck = loadCheckpoint(c.dir);
    const weights: Map<string, Tensor> | undefined = ck.tensors.weights;
    if (weights) {
      gen.loadStateDict(weights);
      await evaluate(c.step);
    }
    for (const m of Object.values(ck.tensors)) dispose([...m.values()]);
  }
  gen.dispose();
  return points;
}

export type { Raster };
