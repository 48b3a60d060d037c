// Demo stage: the validation study. Fresh samples of the baseline and of every aligned
// model (the same seeds for each), mixed in one blinded study (raters see no model, run
// or real/synthetic hint) and rated like the first round. The aligned model the raters
// accept most is the demo's headline: a team picks what it releases by asking its
// experts, not by the truth a phantom testbed happens to have. The evaluation that
// follows judges every model afresh, on other seeds, by the truth judge.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadGenerator } from '../../diffusion/generator.js';
import { generatorFingerprint } from '../../diffusion/generator-fingerprint.js';
import { type PlausibilityResult, plausibilityRate } from '../../eval/metrics/plausibility.js';
import type { AnswerRecord } from '../../feedback/index.js';
import type { AlignStageResult } from './align-stage.js';
import type { DemoContext, DemoData, TruthJudge } from './context.js';
import { type RatedStudy, rateStudy } from './rated-study.js';
import { sampleSet, writeSampleFolder } from './sample-stage.js';

export interface ValidationStageResult extends RatedStudy {
  /** The raters' plausibility per model: the share of their answers that said plausible. */
  rated: Record<string, PlausibilityResult>;
  /** The aligned model the raters accepted most (ties: the first of align.methods). */
  selected: string;
  /** Whether the raters accepted the selected model more often than the baseline. */
  beatsBaseline: boolean;
}

export interface ValidatedModel {
  /** 'baseline' or the alignment method. */
  name: string;
  runId: string;
  /** The generator folder to sample from. */
  dir: string;
}

/** The rated plausibility of each model, from the `model` every sample's provenance names (gold items are not counted). */
export function ratedPlausibility(answers: ReadonlyArray<AnswerRecord>): Record<string, PlausibilityResult> {
  const byModel = new Map<string, { plausible: boolean; condition: string; sampleId: number; rater: string }[]>();
  for (const a of answers) {
    if (a.isGold || a.mode !== 'binary') continue;
    const model = a.images[0]?.provenance.model;
    if (typeof model !== 'string') continue;
    const list = byModel.get(model) ?? [];
    list.push({ plausible: a.choice === 'plausible', condition: a.condition, sampleId: a.itemId, rater: a.raterName });
    byModel.set(model, list);
  }
  return Object.fromEntries([...byModel].map(([model, judgements]) => [model, plausibilityRate(judgements)]));
}

/** The candidate with the highest rated plausibility; ties go to the earlier candidate. */
export function selectByRatings(rated: Readonly<Record<string, PlausibilityResult>>, candidates: ReadonlyArray<string>): string {
  if (candidates.length === 0) throw new RangeError('validation: no aligned model to choose from');
  const rate = (m: string): number => {
    const r = rated[m];
    if (!r || r.total === 0) throw new RangeError(`validation: the study has no answers for ${m}`);
    return r.plausible / r.total;
  };
  return candidates.reduce((best, m) => (rate(m) > rate(best) ? m : best));
}

export async function runValidationStage(ctx: DemoContext, data: DemoData, judge: TruthJudge, baseline: { runId: string; runDir: string }, aligned: ReadonlyArray<AlignStageResult>): Promise<ValidationStageResult> {
  const per = ctx.config.validation.samplesPerCondition;
  const models: ValidatedModel[] = [{ name: 'baseline', runId: baseline.runId, dir: baseline.runDir }, ...aligned.map((a) => ({ name: a.method, runId: a.runId, dir: a.generatorDir }))];
  // Named by the models' weights, not only their run ids: a DDPO run resumed with more
  // iterations keeps its id, and its left-over study must not be taken up as this one.
  const key = validationKey(models);
  const root = join(ctx.ws.dir, 'studies', `validation-${baseline.runId}-${key}`);
  const samplesDir = join(root, 'samples');
  // apart from the first study's seeds (seed + 101) and the evaluation's (seed + 9001)
  const seed = ctx.config.seed + 5003;
  const sampling = ctx.config.sampling;
  const { study, read } = await rateStudy(
    ctx,
    data,
    judge,
    {
      // the run ids are in every sample's provenance; the key keeps the name within the store's 100 characters
      name: `${ctx.config.name}: validation ${key}`,
      samplesDir,
      expectedItems: per * data.classes.length * models.length,
      sizeKey: 'validation.samplesPerCondition',
      seed: ctx.config.seed + 1,
      label: 'validation',
      // a rate per model needs verdicts, whatever the first study asked (pairwise answers give none)
      mode: 'binary',
      writeSamples: () => {
        for (const m of models) {
          ctx.log(`validation: sampling ${per * data.classes.length} images from ${m.name} (${m.runId})`);
          const gen = loadGenerator(m.dir);
          const set = sampleSet(gen, { classes: data.classes, perCondition: per, steps: sampling.steps, eta: sampling.eta, cfg: sampling.cfg, seed });
          const provenance = { model: m.name, run: m.runId, checkpointStep: gen.source.checkpointStep ?? 0, seed, sampler: { kind: 'ddim', ...sampling } };
          writeSampleFolder(join(samplesDir, m.name), set, provenance, per, join(root, `${m.name}-grid.png`));
          gen.dispose();
        }
      },
    },
    ratedPlausibility,
  );
  // in the models' order (baseline first), not the answers'
  const rated = Object.fromEntries(models.filter((m) => read[m.name]).map((m) => [m.name, read[m.name]!]));
  const selected = selectByRatings(rated, aligned.map((a) => a.method));
  const share = (m: string) => (rated[m] ? rated[m].plausible / rated[m].total : NaN);
  const beatsBaseline = share(selected) > share('baseline');
  ctx.log(`validation: raters accepted ${models.map((m) => `${m.name} ${(share(m.name) * 100).toFixed(1)}%`).join(', ')}: the headline is ${selected}${beatsBaseline ? '' : ' (no aligned model was accepted more often than the baseline)'}`);
  return { ...study, rated, selected, beatsBaseline };
}

/** 12 hex digits over every model's name, run and weights: the same models give the same study. */
export function validationKey(models: ReadonlyArray<ValidatedModel>): string {
  const h = createHash('sha256');
  for (const m of models) h.update(`${m.name}\0${m.runId}\0${generatorFingerprint(m.dir)}\n`);
  return h.digest('hex').slice(0, 12);
}
