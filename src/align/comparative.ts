// Comparative feedback (RLCF, Han et al. 2024): a frozen copy of the starting
// model (the anchor) draws x̂ for the same condition from the same initial noise
// (and, here, the same per-step noise: a copy of the sampler's Generator state), and
// a comparative reward is s(x, c) − s(x̂, c). Pairing the noise removes most of the
// variance that has nothing to do with the finetuning. The anchor also serves the
// optional KL-to-anchor regulariser.
import { Generator, type Tensor, dispose, noGrad, tidy } from '../engine/index.js';
import type { DiffusionPolicy, StepOptions } from './policy.js';
import { sampleTrajectory } from './sampling.js';

export class ComparativeAnchor {
  readonly policy: DiffusionPolicy;

  /** Freezes a copy of `start` as it is now (call before any finetuning step). */
  constructor(start: DiffusionPolicy) {
    this.policy = start.frozenCopy();
    this.policy.module.requiresGrad_(false).eval();
  }

  /** The anchor's images [B, C, H, W] in [−1, 1], drawn from `generatorState` (the policy sampler's state before its draw). */
  sample(conditions: readonly string[], opts: StepOptions, generatorState: Uint8Array): Tensor {
    const generator = new Generator(0);
    generator.setState(generatorState);
    const traj = sampleTrajectory(this.policy, conditions, opts, generator);
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
