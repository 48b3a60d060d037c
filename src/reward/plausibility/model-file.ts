// The plausibility reward model on disk: a versioned model folder (see ../model-store.ts).
import { PlausibilityRewardNet, type RewardNetConfig } from '../../models/reward-net.js';
import { type ModelInfo, loadVersionedNet, saveVersionedModel } from '../model-store.js';
import type { TrainedPlausibilityModel } from './train.js';

export const PLAUSIBILITY_KIND = 'medloop.plausibility-reward';

/** Writes the model as the next version under `root` (e.g. `<workspace>/rewards/plausibility`). */
export function savePlausibilityModel(root: string, trained: TrainedPlausibilityModel, source: Record<string, unknown> = {}): { dir: string; info: ModelInfo } {
  return saveVersionedModel(root, {
    kind: PLAUSIBILITY_KIND,
    weights: trained.net.stateDict(),
    config: trained.net.config,
    data: trained.data,
    metrics: { ...trained.metrics },
    options: trained.options,
    source,
  });
}

/** Reads a plausibility reward model (eval mode) from a version folder or the newest version under a root. */
export function loadPlausibilityModel(path: string): { net: PlausibilityRewardNet; info: ModelInfo; dir: string } {
  return loadVersionedNet(path, PLAUSIBILITY_KIND, (config) => new PlausibilityRewardNet(config as RewardNetConfig));
}
