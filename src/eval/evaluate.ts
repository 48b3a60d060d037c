// One evaluation of generated sample sets against real reference images, in the
// domain feature space: FID (with a bootstrap interval), PRDC, within-condition
// MS-SSIM, per-condition FID/PRDC and, optionally, downstream utility. Every
// number here comes from the metric functions; this file only wires them up.
import { Generator, type Tensor, dispose, randperm, tidy } from '../engine/index.js';
import type { CnnClassifier } from '../models/classifier.js';
import type { TrainClassifierOptions } from '../models/classifier-train.js';
import type { Raster } from '../data/raster.js';
import { type Interval, bootstrapCi } from './bootstrap.js';
import type { FeatureExtractor } from './feature-extractor.js';
import { classAgreement } from './metrics/class-agreement.js';
import { type DiversityResult, withinConditionMsSsim } from './metrics/diversity.js';
import { fid, gaussianStats } from './metrics/fid.js';
import { groupByCondition, selectRows } from './metrics/per-condition.js';
import type { PlausibilityResult } from './metrics/plausibility.js';
import { type PrdcResult, prdc } from './metrics/prdc.js';
import { type UtilityResult, utility } from './metrics/utility.js';

export interface ImageSet {
  /** [N, C, H, W] in [0, 1]. */
  images: Tensor;
  conditions: string[];
  /** A few images per condition for the report's grids (optional). */
  rasters?: Raster[];
}

export interface SampleSet extends ImageSet {
  /** 'baseline', 'aligned', a run id… */
  name: string;
}

export interface EvaluateOptions {
  extractor: FeatureExtractor;
  /**
   * Class logits [N, classNames.length] from the extractor's features (e.g. the domain
   * classifier's head): adds each set's class agreement.
   */
  classify?: (features: Tensor) => Tensor;
  /** Class names (index = class label) for utility; conditions outside it are left out there. */
  classNames: string[];
  /** PRDC neighbourhood (default 5). */
  k?: number;
  /** Bootstrap resamples for the FID interval (default 200; 0 = none). */
  bootstrap?: number;
  seed?: number;
  /** Pairs per condition for MS-SSIM (default 100). */
  diversityPairs?: number;
  /** Fewest images per condition, in both sets, for a per-condition FID/PRDC (default 20). */
  minPerCondition?: number;
  /** Train-on-synthetic-test-on-real when given. */
  utility?: { realTest: ImageSet; realTrained?: CnnClassifier; train?: Omit<TrainClassifierOptions, 'numClasses' | 'val'> };
  onStage?: (message: string) => void;
}

export interface ConditionEvaluation {
  count: number;
  fid: number;
  prdc: PrdcResult;
}

export interface SetEvaluation {
  name: string;
  count: number;
  fid: Interval;
  prdc: PrdcResult;
  diversity: DiversityResult;
  perCondition: Record<string, ConditionEvaluation>;
  /** Share of samples the classifier assigns to their intended class (with `classify`). */
  classAgreement?: PlausibilityResult;
  utility?: UtilityResult;
}

export interface EvaluationResult {
  reference: {
    count: number;
    perCondition: Record<string, number>;
    diversity: DiversityResult;
    /**
     * FID and PRDC of real against real at the sample sets' size: a random subset of
     * the reference (as many images as the largest sample set, at most half) scored
     * against the rest. What a perfect generator would score here — FID and coverage
     * depend strongly on the number of samples, so compare against this, not 0 or 1.
     */
    noiseFloor: { fid: number; prdc: PrdcResult; sampleSize: number; referenceSize: number };
  };
  sets: SetEvaluation[];
  featureDim: number;
  k: number;
  bootstrap: number;
}

function fidInterval(real: Tensor, fake: Tensor, resamples: number, seed: number): Interval {
  const estimateOnly = (): Interval => ({ estimate: fid(real, fake), lo: NaN, hi: NaN, level: 0.95, resamples: 0, method: 'percentile', se: NaN });
  if (resamples <= 0) return estimateOnly();
  return bootstrapCi(
    [real.dim(0), fake.dim(0)],
    (ri, fi) =>
      tidy(() => {
        const identity = ri.every((v, i) => v === i) && fi.every((v, i) => v === i);
        return identity ? fid(real, fake) : fid(gaussianStats(selectRows(real, Array.from(ri))), gaussianStats(selectRows(fake, Array.from(fi))));
      }),
    { resamples, seed },
  );
}

export function evaluateSampleSets(reference: ImageSet, sets: SampleSet[], opts: EvaluateOptions): EvaluationResult {
  const k = opts.k ?? 5;
  const seed = opts.seed ?? 0;
  const resamples = opts.bootstrap ?? 200;
  const minPer = Math.max(k + 1, opts.minPerCondition ?? 20);
  const stage = opts.onStage ?? (() => {});
  stage(`features of ${reference.images.dim(0)} real images`);
  const realFeatures = opts.extractor(reference.images);
  try {
    const n = realFeatures.dim(0);
    const m = Math.max(k + 1, Math.min(Math.floor(n / 2), Math.max(0, ...sets.map((s) => s.images.dim(0)))));
    const [rest, pseudo] = tidy(() => {
      const perm = randperm(n, { generator: new Generator(seed) });
      return [realFeatures.indexSelect(0, perm.narrow(0, m, n - m)), realFeatures.indexSelect(0, perm.narrow(0, 0, m))];
    });
    const noiseFloor = { fid: fid(rest!, pseudo!), prdc: prdc(rest!, pseudo!, { k }), sampleSize: m, referenceSize: n - m };
    dispose([rest, pseudo]);
    stage('real within-condition MS-SSIM');
    const realDiversity = withinConditionMsSsim(reference.images, reference.conditions, { pairsPerCondition: opts.diversityPairs ?? 100, seed });
    const realGroups = groupByCondition(reference.conditions);
    const out: SetEvaluation[] = [];
    for (const set of sets) {
      stage(`${set.name}: features of ${set.images.dim(0)} samples`);
      const fake = opts.extractor(set.images);
      try {
        stage(`${set.name}: FID${resamples ? ` (${resamples} bootstrap resamples)` : ''} and PRDC`);
        const fidCi = fidInterval(realFeatures, fake, resamples, seed);
        const overall = prdc(realFeatures, fake, { k });
        const perCondition: Record<string, ConditionEvaluation> = {};
        for (const [cond, fi] of groupByCondition(set.conditions)) {
          const ri = realGroups.get(cond);
          if (!ri || ri.length < minPer || fi.length < minPer) continue;
          perCondition[cond] = tidy(() => {
            const r = selectRows(realFeatures, ri);
            const f = selectRows(fake, fi);
            return { count: fi.length, fid: fid(r, f), prdc: prdc(r, f, { k }) };
          });
        }
        stage(`${set.name}: within-condition MS-SSIM`);
        const diversity = withinConditionMsSsim(set.images, set.conditions, { pairsPerCondition: opts.diversityPairs ?? 100, seed });
        const evaluation: SetEvaluation = { name: set.name, count: set.images.dim(0), fid: fidCi, prdc: overall, diversity, perCondition };
        if (opts.classify) {
          const argmax = tidy(() => opts.classify!(fake).argmax(1));
          const predicted = argmax.toNumbers();
          argmax.dispose();
          evaluation.classAgreement = classAgreement(predicted, set.conditions, opts.classNames);
        }
        if (opts.utility) {
          const labelled = set.conditions.map((c, i) => [opts.classNames.indexOf(c), i] as const).filter(([l]) => l >= 0);
          if (labelled.length >= 2) {
            stage(`${set.name}: train-on-synthetic, test-on-real`);
            const images = selectRows(set.images, labelled.map(([, i]) => i));
            try {
              const testLabels = opts.utility.realTest.conditions.map((c) => opts.classNames.indexOf(c));
              evaluation.utility = utility(
                {
                  synthetic: { images, labels: labelled.map(([l]) => l) },
                  realTest: { images: opts.utility.realTest.images, labels: testLabels },
                  ...(opts.utility.realTrained ? { realTrained: opts.utility.realTrained } : {}),
                },
                { numClasses: opts.classNames.length, ...(opts.utility.train ? { train: opts.utility.train } : {}) },
              );
            } finally {
              images.dispose();
            }
          }
        }
        out.push(evaluation);
      } finally {
        fake.dispose();
      }
    }
    return {
      reference: {
        count: reference.images.dim(0),
        perCondition: Object.fromEntries([...realGroups].map(([c, idx]) => [c, idx.length])),
        diversity: realDiversity,
        noiseFloor,
      },
      sets: out,
      featureDim: realFeatures.dim(1),
      k,
      bootstrap: resamples,
    };
  } finally {
    realFeatures.dispose();
  }
}
