// `posture` (CXRL r_align): −‖ψ − identity‖ for the affine pose ψ = (s_x, s_y, t_x, t_y, θ)
// the posture regressor reads off the image. The condition (report) is not used.
import { type PostureRegressor, poseDistance } from '../../models/posture-regressor.js';
import { toModelInput } from '../images.js';
import { predictPoses } from '../posture/train.js';
import type { RewardFn } from '../registry.js';

export function postureReward(net: PostureRegressor): RewardFn {
  return (images) => {
    const x = toModelInput(images, { channels: 1, size: net.config.imageSize });
    try {
      return predictPoses(net, x).map((p) => -poseDistance(p));
    } finally {
      x.dispose();
    }
  };
}
