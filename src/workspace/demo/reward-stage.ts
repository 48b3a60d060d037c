// Demo stage: the plausibility reward model (Sun et al.) from the study's ratings,
// plus real images paired with their true class (plausible) and a wrong one (implausible).
import { MembersProgress } from '../../cli/progress.js';
import { FeedbackStore } from '../../feedback/index.js';
import { rewardModelRoot } from '../../reward/model-store.js';
import { colourCriterion, colourNegatives } from '../../reward/plausibility/colour-negatives.js';
import { ratingsFromAnswers } from '../../reward/plausibility/dataset.js';
import { savePlausibilityModel } from '../../reward/plausibility/model-file.js';
import { type PlausibilityMetrics, trainPlausibilityMembers } from '../../reward/plausibility/train.js';
import type { DemoContext, DemoData } from './context.js';

export interface RewardStageResult {
  modelDir: string;
  ratedImages: number;
  /** Colour-shifted real images trained on as implausible. */
  colourNegatives: number;
  realImages: number;
  /** Held-out AUROC against the raters' majority label. */
  ratedAuroc: number | null;
  /** Held-out AUROC of true vs wrong class on real images. */
  wrongClassAuroc: number | null;
  ece: number | null;
  seconds: number;
}

export function runRewardStage(ctx: DemoContext, data: DemoData, studyId: number): RewardStageResult {
  const store = FeedbackStore.openWorkspace(ctx.ws.dir);
  let rated;
  let pairs;
  try {
    ({ rated, pairs } = ratingsFromAnswers(store.listAnswers(studyId), (rec) => store.imageRaster(rec.id)));
  } finally {
    store.close();
  }
  const realCount = Math.min(data.images.length, ctx.quick ? 400 : 1200);
  const real = Array.from({ length: realCount }, (_, i) => {
    const k = Math.floor((i * data.images.length) / realCount);
    return { image: data.images[k]!, condition: data.conditions[k]! };
  });
  const r = ctx.config.reward;
  // Colour-shifted real cells, implausible for the checklist's colour criterion (why: colour-negatives.ts).
  const shifted = colourNegatives(real, r.colourNegatives, { seed: ctx.config.seed, criterion: colourCriterion(rated.flatMap((x) => Object.keys(x.criteria))) });
  const progress = new MembersProgress({ label: 'reward', silent: ctx.silent }, r.members);
  const options = {
    conditions: data.classes,
    epochs: r.epochs,
    realMix: r.realMix,
    seed: ctx.config.seed,
    channels: data.channels,
    net: { pooling: r.pooling },
    maxSteps: ctx.quick ? 300 : 1500,
    onProgress: progress.report,
  };
  // One model (Sun et al.), or an ensemble on bootstrap resamples whose disagreement the reward penalises.
  const members = trainPlausibilityMembers({ rated: [...rated, ...shifted], pairs, real }, r.members, options);
  progress.finish();
  const saved = savePlausibilityModel(rewardModelRoot(ctx.ws.dir, 'plausibility'), members, { study: studyId, workspace: ctx.ws.dir, colourNegatives: shifted.length }, { pessimism: r.pessimism });
  const m = saved.info.metrics as Partial<PlausibilityMetrics>;
  for (const t of members) t.net.dispose();
  ctx.ws.runs.register({ id: `reward-${studyId}-${Date.now().toString(36)}`, kind: 'reward', config: saved.info.options, data: `study:${studyId}`, dir: saved.dir });
  return {
    modelDir: saved.dir,
    ratedImages: rated.length,
    colourNegatives: shifted.length,
    realImages: real.length,
    ratedAuroc: finiteOrNull(m.rated?.auroc),
    wrongClassAuroc: finiteOrNull(m.wrongClass?.auroc),
    ece: finiteOrNull(m.rated?.ece ?? m.wrongClass?.ece),
    seconds: m.seconds ?? NaN,
  };
}

function finiteOrNull(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}
