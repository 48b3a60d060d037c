// Reward weights for the multi-reward arms. The three rewards live on different
// scales (posture ≈ −0.1 ± 0.05, diagnostic ≈ 0.9 ± 0.05, consistency ≈ 0.5 ± 0.2),
// and the policy gradient follows the weighted sum, so equal weights would hand the
// run to whichever spreads widest. Each weight is 1 / (the reward's standard
// deviation over the pretrained generator's samples for training reports): every
// reward then moves the total by the same amount per "typical" difference.
import type { Raster } from '../../data/raster.js';
import type { RewardFn } from '../../reward/registry.js';
import { CXR_REWARDS, type CxrRewardName } from './arms.js';

export interface RewardCalibration {
  weight: number;
  mean: number;
  std: number;
}

export async function calibrateRewardWeights(images: readonly Raster[], conditions: readonly string[], rewards: Record<CxrRewardName, RewardFn>): Promise<Record<CxrRewardName, RewardCalibration>> {
  const out = {} as Record<CxrRewardName, RewardCalibration>;
  for (const name of CXR_REWARDS) {
    const xs = await rewards[name](images, [...conditions]);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    // a reward that does not vary on the baseline gives no direction: keep it at unit weight
    out[name] = { weight: std > 1e-6 ? 1 / std : 1, mean, std };
  }
  return out;
}
