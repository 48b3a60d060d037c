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

  // One pattern for all three nets: load the saved version when there is one, else train and save it.
  function loadOrTrain<N, T extends { net: N; metrics: object }>(name: CxrRewardName, load: () => { net: N; info: { metrics: Record<string, unknown> } }, fit: () => T, save: (t: T) => void): N {
    if (has(name)) {
      const m = load();
      metrics[name] = m.info.metrics;
      reused.push(name);
      return m.net;
    }
    const t = fit();
    save(t);
    metrics[name] = { ...t.metrics };
    return t.net;
  }
  const posture = loadOrTrain(
    'posture',
    () => loadPostureRegressor(root('posture')),
    () => trainPostureRegressor(train.images, { imageSize: size, steps: cfg.rewardNets.postureSteps, seed: cfg.seed + 11, ...progress('posture') }),
    (t) => savePostureRegressor(root('posture'), t, source),
  );
  const diagnostic = loadOrTrain(
    'diagnostic',
    () => loadFindingsClassifier(root('diagnostic')),
    () => trainFindingsClassifier(train.images.map((image, i) => ({ image, findings: train.findings[i]! })), { imageSize: size, epochs: cfg.rewardNets.diagnosticEpochs, seed: cfg.seed + 12, ...progress('diagnostic') }),
    (t) => saveFindingsClassifier(root('diagnostic'), t, source),
  );
  const consistency = loadOrTrain(
    'consistency',
    () => loadDualEncoder(root('consistency')),
    () => trainDualEncoder(train.images.map((image, i) => ({ image, report: train.reports[i]! })), { imageSize: size, epochs: cfg.rewardNets.consistencyEpochs, seed: cfg.seed + 13, ...progress('consistency') }),
    (t) => saveDualEncoder(root('consistency'), t, source),
  );
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
