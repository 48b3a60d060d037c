// Sizes of the CXR ablation, as plain data. Everything is 32×32 grey: the phantom
// findings stay visible at that size (the oracle accepts ~87% of real 32×32
// phantoms against their reports, 94% at 64×64) and a UNet step costs a quarter of
// 64×64's, which is what makes pretraining, three reward nets and six DDPO arms fit
// in 25 minutes on two shared CPU cores (one libtorch thread).
import { type DdpoConfig, trainableSteps } from '../../align/ddpo.js';
import { FULL_ACE_TOKENS } from './arms.js';

export interface CxrAblationConfig {
  seed: number;
  /** Image side (grey). */
  imageSize: number;
  data: {
    /** Phantoms (image + report) for pretraining and the reward nets. */
    trainImages: number;
    /** Held-out reports the generators are evaluated on (their phantoms are the real reference row)… */
    heldOutReports: number;
    /** …with this many samples (noise seeds) each. */
    samplesPerReport: number;
  };
  generator: { baseChannels: number; channelMult: number[]; textDim: number; textLayers: number; maxLength: number };
  pretrain: { steps: number; batchSize: number; lr: number; warmupSteps: number; emaDecay: number; checkpointEvery: number };
  rewardNets: { postureSteps: number; diagnosticEpochs: number; consistencyEpochs: number };
  /** Baseline samples (training reports) whose reward spreads set the reward weights. */
  calibrationSamples: number;
  /** DDPO's own settings; `steps` (the policy's DDIM steps) also samples every model at evaluation. */
  ddpo: Pick<DdpoConfig, 'iterations' | 'batchSize' | 'trainBatchSize' | 'innerEpochs' | 'timestepFraction' | 'skipSteps' | 'steps' | 'guidance' | 'lr' | 'aceLr' | 'clipRange' | 'checkpointEvery'>;
  /**
   * Generator parameters DDPO trains: names matching one of these regular expressions
   * (all when empty). DDPO trains LoRA adapters of the UNet's attention layers; here the
   * UNet's attention blocks and the projection of the condition into the time embedding.
   */
  trainable: string[];
  aceTokens: number;
  /** Samples per model in the combined grid. */
  gridColumns: number;
}

/** The default run: ≤ 25 minutes on the 2-core machine with MEDLOOP_THREADS=1 (measured stage times in the closing report). */
export const CXR_ABLATION_DEFAULT: CxrAblationConfig = {
  seed: 1,
  imageSize: 32,
  data: { trainImages: 3000, heldOutReports: 64, samplesPerReport: 2 },
  generator: { baseChannels: 16, channelMult: [1, 2, 4], textDim: 64, textLayers: 1, maxLength: 40 },
  pretrain: { steps: 700, batchSize: 32, lr: 1e-3, warmupSteps: 50, emaDecay: 0.995, checkpointEvery: 100 },
  rewardNets: { postureSteps: 400, diagnosticEpochs: 25, consistencyEpochs: 25 },
  calibrationSamples: 32,
  // One update per 32-sample batch (smaller batches' gradients were noise: every reward
  // fell); lr 1e-3 on the attention blocks only (1e-4..3e-4 on all weights degraded the
  // model, 3e-5 did not move it). The first and last of the 10 steps are not trained on:
  // their log-prob gradients dwarf the others' (1/σ on the last, 1/√ᾱ on the first).
  ddpo: { iterations: 16, batchSize: 32, trainBatchSize: 32, innerEpochs: 1, timestepFraction: 0.5, skipSteps: { first: 1, last: 1 }, steps: 10, guidance: 1, lr: 1e-3, aceLr: 3e-3, clipRange: 1e-4, checkpointEvery: 4 },
  trainable: ['^unet\\..*\\.attn\\.', '^unet\\.cond_proj\\.'],
  aceTokens: FULL_ACE_TOKENS,
  gridColumns: 8,
};

/** `--quick`: the same pipeline at a fraction of the work (a few minutes; numbers are noisy). */
export const CXR_ABLATION_QUICK: CxrAblationConfig = {
  ...CXR_ABLATION_DEFAULT,
  data: { trainImages: 1200, heldOutReports: 32, samplesPerReport: 2 },
  pretrain: { ...CXR_ABLATION_DEFAULT.pretrain, steps: 200 },
  rewardNets: { postureSteps: 150, diagnosticEpochs: 10, consistencyEpochs: 10 },
  calibrationSamples: 16,
  ddpo: { ...CXR_ABLATION_DEFAULT.ddpo, iterations: 6, batchSize: 16, trainBatchSize: 16 },
};

export class AblationConfigError extends Error {
  override name = 'AblationConfigError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** The first key path where two configs differ ('ddpo.lr'), or null. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b) ? null : path || '(root)';
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    if (d) return d;
  }
  return null;
}

/** Checks a config for sizes the pipeline cannot run with, naming the key. */
export function validateAblationConfig(c: CxrAblationConfig, source = 'ablation config'): void {
  const fail = (key: string, why: string) => {
    throw new AblationConfigError(source, `${key}: ${why}`);
  };
  if (c.data.trainImages < c.pretrain.batchSize) fail('data.trainImages', `${c.data.trainImages} is less than one pretraining batch (${c.pretrain.batchSize})`);
  if (c.data.trainImages < 10) fail('data.trainImages', 'the reward nets need at least 10 images (a held-out fifth)');
  if (c.data.samplesPerReport < 2) fail('data.samplesPerReport', 'diversity needs at least 2 samples per report');
  try {
    trainableSteps(c.ddpo);
  } catch {
    fail('ddpo.skipSteps', `leaves none of the ${c.ddpo.steps} steps to train on`);
  }
  if (c.ddpo.batchSize % c.ddpo.trainBatchSize !== 0) fail('ddpo.trainBatchSize', `must divide ddpo.batchSize (${c.ddpo.batchSize})`);
  if (c.imageSize % 2 ** (c.generator.channelMult.length - 1) !== 0) fail('imageSize', `not divisible by 2^${c.generator.channelMult.length - 1}`);
}
