// `oracle`: a phantom oracle's verdict as a reward (1 plausible, 0 not, minus a small
// penalty per failed criterion so partial failures rank between). It knows the truth
// exactly, so it is for evaluation, hacking guards and simulated experts: registered
// as evaluation-only and refused by the optimising pipelines.
import type { Raster } from '../../data/raster.js';
import { toRasters } from '../images.js';
import type { RewardFn } from '../registry.js';

export type OracleJudge = (image: Raster, condition: string) => { plausible: boolean; failedCriteria: string[] };

export function oracleReward(judge: OracleJudge, criterionPenalty = 0): RewardFn {
  return (images, conditions) =>
    toRasters(images).map((r, i) => {
      const v = judge(r, conditions[i]!);
      return (v.plausible ? 1 : 0) - criterionPenalty * v.failedCriteria.length;
    });
}
