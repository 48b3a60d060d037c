// Demo stage: the plausibility reward model (Sun et al.) from the study's ratings,
// plus real images paired with their true class (plausible) and a wrong one (implausible).
import { Progress } from '../../cli/progress.js';
import { FeedbackStore } from '../../feedback/index.js';
import { rewardModelRoot } from '../../reward/model-store.js';
import { ratingsFromAnswers } from '../../reward/plausibility/dataset.js';
import { savePlausibilityModel } from '../../reward/plausibility/model-file.js';
import { trainPlausibilityModel } from '../../reward/plausibility/train.js';
import type { DemoContext, DemoData } from './context.js';

export interface RewardStageResult {
  modelDir: string;
  ratedImages: number;
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
  // The step count is known once training has sized its epochs: the bar starts on the first report.
  let progress: Progress | null = null;
  const trained = trainPlausibilityModel(
    { rated, pairs, real },
    {
      conditions: data.classes,
      epochs: ctx.config.reward.epochs,
      realMix: ctx.config.reward.realMix,
      seed: ctx.config.seed,
      channels: data.channels,
      maxSteps: ctx.quick ? 300 : 1500,
      onProgress: (p) => (progress ??= new Progress({ label: 'reward', total: p.steps, silent: ctx.silent })).set(p.step, `loss ${p.loss.toFixed(3)}`),
    },
  );
  (progress as Progress | null)?.finish(); // assigned inside the callback, which TS cannot follow
  const saved = savePlausibilityModel(rewardModelRoot(ctx.ws.dir, 'plausibility'), trained, { study: studyId, workspace: ctx.ws.dir });
  const m = trained.metrics;
  trained.net.dispose();
  ctx.ws.runs.register({ id: `reward-${studyId}-${Date.now().toString(36)}`, kind: 'reward', config: trained.options, data: `study:${studyId}`, dir: saved.dir });
  return {
    modelDir: saved.dir,
    ratedImages: rated.length,
    realImages: real.length,
    ratedAuroc: finiteOrNull(m.rated?.auroc),
    wrongClassAuroc: finiteOrNull(m.wrongClass?.auroc),
    ece: finiteOrNull(m.rated?.ece ?? m.wrongClass?.ece),
    seconds: m.seconds,
  };
}

function finiteOrNull(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}
