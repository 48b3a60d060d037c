// CXRL's three reward models, trained on the phantom training set (image, report,
// findings) and saved as versioned models under <out>/rewards/<name>; a later run
// with the same <out> loads them instead of training again. The reward functions
// are reward/'s own (rewards/posture.ts, diagnostic.ts, consistency.ts).
import { join } from 'node:path';
import { parseReportRecord } from '../../data/phantoms/index.js';
import { listModelVersions } from '../../reward/model-store.js';
import type { RewardFn } from '../../reward/registry.js';
import { consistencyReward } from '../../reward/rewards/consistency.js';
import { diagnosticReward } from '../../reward/rewards/diagnostic.js';
import { postureReward } from '../../reward/rewards/posture.js';
import { loadDualEncoder, saveDualEncoder, trainDualEncoder } from '../../reward/consistency/train.js';
import { loadFindingsClassifier, saveFindingsClassifier, trainFindingsClassifier } from '../../reward/diagnostic/train.js';
import { loadPostureRegressor, savePostureRegressor, trainPostureRegressor } from '../../reward/posture/train.js';
import type { DualEncoder } from '../../models/dual-encoder.js';
import type { FindingsClassifier } from '../../models/findings-classifier.js';
import type { PostureRegressor } from '../../models/posture-regressor.js';
import type { CxrRewardName } from './arms.js';
import type { CxrAblationConfig } from './config.js';
import type { CxrSet } from './cxr-data.js';

export interface CxrRewardNets {
  posture: PostureRegressor;
  diagnostic: FindingsClassifier;
  consistency: DualEncoder;
  /** Held-out metrics of each net (from its reward-model.json when reused). */
  metrics: Record<CxrRewardName, Record<string, unknown>>;
  /** Nets loaded rather than trained. */
  reused: CxrRewardName[];
}

type Progress = (name: CxrRewardName, p: { step: number; steps: number; loss: number }) => void;

/** Trains (or loads) the posture regressor, findings classifier and dual encoder. */
export function cxrRewardNets(out: string, cfg: CxrAblationConfig, train: CxrSet, onProgress?: Progress): CxrRewardNets {
  const root = (name: CxrRewardName) => join(out, 'rewards', name);
  const has = (name: CxrRewardName) => listModelVersions(root(name)).length > 0;
  const size = cfg.imageSize;
  const source = { data: 'phantom CXR (ablation training set)', images: train.images.length };
  const reused: CxrRewardName[] = [];
  const metrics = {} as CxrRewardNets['metrics'];
  const progress = (name: CxrRewardName) => (onProgress ? { onProgress: (p: { step: number; steps: number; loss: number }) => onProgress(name, p) } : {});

  let posture: PostureRegressor;
  if (has('posture')) {
    const m = loadPostureRegressor(root('posture'));
    [posture, metrics.posture] = [m.net, m.info.metrics];
    reused.push('posture');
  } else {
    const t = trainPostureRegressor(train.images, { imageSize: size, steps: cfg.rewardNets.postureSteps, seed: cfg.seed + 11, ...progress('posture') });
    savePostureRegressor(root('posture'), t, source);
    [posture, metrics.posture] = [t.net, { ...t.metrics }];
  }
  let diagnostic: FindingsClassifier;
  if (has('diagnostic')) {
    const m = loadFindingsClassifier(root('diagnostic'));
    [diagnostic, metrics.diagnostic] = [m.net, m.info.metrics];
    reused.push('diagnostic');
  } else {
    const examples = train.images.map((image, i) => ({ image, findings: train.findings[i]! }));
    const t = trainFindingsClassifier(examples, { imageSize: size, epochs: cfg.rewardNets.diagnosticEpochs, seed: cfg.seed + 12, ...progress('diagnostic') });
    saveFindingsClassifier(root('diagnostic'), t, source);
    [diagnostic, metrics.diagnostic] = [t.net, { ...t.metrics }];
  }
  let consistency: DualEncoder;
  if (has('consistency')) {
    const m = loadDualEncoder(root('consistency'));
    [consistency, metrics.consistency] = [m.net, m.info.metrics];
    reused.push('consistency');
  } else {
    const pairs = train.images.map((image, i) => ({ image, report: train.reports[i]! }));
    const t = trainDualEncoder(pairs, { imageSize: size, epochs: cfg.rewardNets.consistencyEpochs, seed: cfg.seed + 13, ...progress('consistency') });
    saveDualEncoder(root('consistency'), t, source);
    [consistency, metrics.consistency] = [t.net, { ...t.metrics }];
  }
  return { posture, diagnostic, consistency, metrics, reused };
}

/** The reward functions (images, reports) → numbers; `diagnostic` reads the stated findings with the phantom report parser. */
export function cxrRewardFunctions(nets: CxrRewardNets): Record<CxrRewardName, RewardFn> {
  return {
    posture: postureReward(nets.posture),
    diagnostic: diagnosticReward(nets.diagnostic, parseReportRecord),
    consistency: consistencyReward(nets.consistency),
  };
}

export function disposeRewardNets(nets: CxrRewardNets): void {
  nets.posture.dispose();
  nets.diagnostic.dispose();
  nets.consistency.dispose();
}
