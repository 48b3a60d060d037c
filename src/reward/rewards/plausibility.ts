// `plausibility`: the reward model's P(plausible | image, condition) (Sun et al.).
import type { PlausibilityRewardNet } from '../../models/reward-net.js';
import { toModelInput } from '../images.js';
import { predictPlausibility } from '../plausibility/train.js';
import type { RewardFn } from '../registry.js';

export function plausibilityReward(net: PlausibilityRewardNet): RewardFn {
  return (images, conditions) => {
    const x = toModelInput(images, { channels: net.config.inChannels, size: net.config.imageSize });
    try {
      return Array.from(predictPlausibility(net, x, conditions));
    } finally {
      x.dispose();
    }
  };
}
