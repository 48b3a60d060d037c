// Comparative feedback (RLCF, Han et al. 2024): a frozen copy of the starting
// model (the anchor) draws x̂ for the same condition from the same initial noise x_T,
// and a comparative reward is s(x, c) − s(x̂, c). Sharing x_T removes the variance
// that comes from the starting point. The anchor's per-step noise is its own: in the
// policy gradient the per-step draws are the actions, and a baseline that depends on
// the action is no baseline. With the policy's step noise too, x̂ = x before the first
// update, every comparative reward is exactly 0 and so is the gradient (measured: the
// CXR ablation's full arm did not move). The anchor also serves the optional
// KL-to-anchor regulariser.
import { type Generator, type Tensor, dispose, noGrad, tidy } from '../engine/index.js';
import type { DiffusionPolicy, StepOptions } from './policy.js';
import { sampleTrajectory } from './sampling.js';

export class ComparativeAnchor {
  readonly policy: DiffusionPolicy;

  /** Freezes a copy of `start` as it is now (call before any finetuning step). */
  constructor(start: DiffusionPolicy) {
    this.policy = start.frozenCopy();
    this.policy.module.requiresGrad_(false).eval();
  }

  /** The anchor's images [B, C, H, W] in [−1, 1] from the policy's initial noise `xT`, with step noise from `generator`. */
  sample(conditions: readonly string[], opts: StepOptions, xT: Tensor, generator: Generator): Tensor {
    const traj = sampleTrajectory(this.policy, conditions, opts, generator, xT);
    const images = traj.images;
    dispose([traj.latents, traj.logProbs]);
    return images;
  }

  /** KL(π_θ(·|x_t) ‖ π_anchor(·|x_t)) needs the anchor's step mean: computed without gradients. */
  stepMean(xt: Tensor, stepIndex: readonly number[], conditions: readonly string[], opts: StepOptions): Tensor {
    return noGrad(() => tidy(() => this.policy.stepDistribution(xt, stepIndex, conditions, opts).mean));
  }

  dispose(): void {
    this.policy.dispose();
  }
}
