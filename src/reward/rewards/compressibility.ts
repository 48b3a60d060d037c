// `compressibility` (DDPO's sanity reward): minus the PNG size in bits per pixel, so
// flatter, simpler images score higher. Cheap, model-free and easy to hack on purpose:
// a pipeline check, not a clinical goal.
import { encodePng } from '../../data/png.js';
import { toRasters } from '../images.js';
import type { RewardFn } from '../registry.js';

export function compressibilityReward(): RewardFn {
  return (images) => toRasters(images).map((r) => -(8 * encodePng(r).length) / (r.width * r.height));
}
