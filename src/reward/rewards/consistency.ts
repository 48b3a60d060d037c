// `consistency` (CXRL): cosine similarity of the image and its report in the
// contrastive image–text embedding.
import type { DualEncoder } from '../../models/dual-encoder.js';
import { pairSimilarity } from '../consistency/train.js';
import { toModelInput } from '../images.js';
import type { RewardFn } from '../registry.js';

export function consistencyReward(net: DualEncoder): RewardFn {
  return (images, conditions) => {
    const x = toModelInput(images, { channels: 1, size: net.config.imageSize });
    try {
      return Array.from(pairSimilarity(net, x, conditions));
    } finally {
      x.dispose();
    }
  };
}
