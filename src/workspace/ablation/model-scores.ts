// What the ablation measures for one model, on the same held-out reports and the
// same noise for every model: the mean of each reward (absolute scores, never
// relative to an anchor, so rows compare directly), the share of samples the
// phantom oracle accepts for their report (a judge no arm optimises) with a Wilson
// interval, and diversity as the mean MS-SSIM between samples of the same report.
import type { Raster } from '../../data/raster.js';
import { rastersToNCHW } from '../../data/nchw.js';
import { judgeCxr } from '../../data/phantoms/index.js';
import type { DiffusionGenerator } from '../../diffusion/generator.js';
import { sampleImages } from '../../diffusion/pipeline.js';
import { tensor } from '../../engine/index.js';
import type { Interval } from '../../eval/bootstrap.js';
import { withinConditionMsSsim } from '../../eval/metrics/diversity.js';
import { wilsonInterval } from '../../eval/metrics/plausibility.js';
import type { RewardFn } from '../../reward/registry.js';
import { CXR_REWARDS, type CxrRewardName } from './arms.js';

export interface RewardStats {
  mean: number;
  /** Standard error of the mean. */
  sem: number;
}

export interface ModelScores {
  samples: number;
  rewards: Record<CxrRewardName, RewardStats>;
  oracle: {
    agree: number;
    total: number;
    /** Wilson 95% interval of the agreement rate. */
    rate: Interval;
    /** How often each criterion failed (posture, cardiomegaly, effusion_left, …). */
    failedCriteria: Record<string, number>;
  };
  /** Mean within-report MS-SSIM (lower = more varied) over reports with ≥ 2 images; NaN when no report has two. */
  msSsim: number;
}

export interface EvaluationSampling {
  steps: number;
  guidance: number;
  seed: number;
}

/** The held-out conditions: every report `samplesPerReport` times in a row (so a report's samples share a batch). */
export function evaluationConditions(reports: readonly string[], samplesPerReport: number): string[] {
  return reports.flatMap((r) => Array.from({ length: samplesPerReport }, () => r));
}

/** One sample per condition from a fixed seed: every model starts from the same noise. */
export function sampleForEvaluation(gen: DiffusionGenerator, conditions: readonly string[], s: EvaluationSampling): Raster[] {
  return sampleImages(gen, { conditions, steps: s.steps, eta: 1, cfg: s.guidance, seed: s.seed }).images;
}

export async function scoreImages(images: readonly Raster[], conditions: readonly string[], rewards: Record<CxrRewardName, RewardFn>): Promise<ModelScores> {
  if (images.length !== conditions.length) throw new RangeError(`scoreImages: ${images.length} images for ${conditions.length} conditions`);
  const scored = {} as ModelScores['rewards'];
  for (const name of CXR_REWARDS) scored[name] = meanAndSem(await rewards[name](images, [...conditions]));
  let agree = 0;
  const failedCriteria: Record<string, number> = {};
  images.forEach((im, i) => {
    const v = judgeCxr(im, conditions[i]!);
    if (v.plausible) agree++;
    for (const c of v.failedCriteria) failedCriteria[c] = (failedCriteria[c] ?? 0) + 1;
  });
  return {
    samples: images.length,
    rewards: scored,
    oracle: { agree, total: images.length, rate: wilsonInterval(agree, images.length), failedCriteria },
    msSsim: withinReportMsSsim(images, conditions),
  };
}

function withinReportMsSsim(images: readonly Raster[], conditions: readonly string[]): number {
  if (new Set(conditions).size === conditions.length) return NaN;
  const nchw = rastersToNCHW(images, { channels: 1, range: [0, 1] });
  const x = tensor(nchw.data, nchw.shape);
  try {
    return withinConditionMsSsim(x, conditions, { pairsPerCondition: 1, seed: 0 }).mean;
  } finally {
    x.dispose();
  }
}

function meanAndSem(xs: readonly number[]): RewardStats {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, sem: Math.sqrt(variance / n) };
}
