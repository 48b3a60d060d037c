// `plausibility`: the reward model's P(plausible | image, condition) (Sun et al.). With an
// ensemble of reward models, the score is the members' mean minus `pessimism` times their
// standard deviation: where members disagree the image is far from what was rated, and a
// policy that seeks such images is exploiting the model, not pleasing the experts
// (uncertainty-penalised ensembles against reward over-optimisation, Coste et al. 2023).
import type { PlausibilityRewardNet } from '../../models/reward-net.js';
import { toModelInput } from '../images.js';
import { predictPlausibility } from '../plausibility/train.js';
import type { RewardFn } from '../registry.js';

export function plausibilityReward(nets: PlausibilityRewardNet | ReadonlyArray<PlausibilityRewardNet>, pessimism = 0): RewardFn {
  const members = Array.isArray(nets) ? (nets as ReadonlyArray<PlausibilityRewardNet>) : [nets as PlausibilityRewardNet];
  if (members.length === 0) throw new Error('plausibilityReward: no reward model');
  const first = members[0]!.config;
  return (images, conditions) => {
    const x = toModelInput(images, { channels: first.inChannels, size: first.imageSize });
    try {
      const scores = members.map((net) => predictPlausibility(net, x, conditions));
      return conditions.map((_, i) => ensembleScore(scores.map((s) => s[i]!), pessimism));
    } finally {
      x.dispose();
    }
  };
}

/** mean − pessimism · (population) standard deviation; one member gives its own score. */
export function ensembleScore(values: ReadonlyArray<number>, pessimism: number): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (pessimism === 0 || values.length < 2) return mean;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return mean - pessimism * sd;
}
