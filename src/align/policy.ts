// What alignment needs from a generator, and nothing more: the reverse-diffusion
// step as a Gaussian policy π(x_{t−1} | x_t, c) = N(mean, std²) (DDIM with η > 0),
// the per-sample ε-loss for reward-weighted likelihood, and a frozen copy for the
// comparative-feedback anchor. The generator's own sampler, UNet and schedule stay
// in diffusion/ and models/; `generator-policy.ts` adapts them to this interface,
// and the tests adapt a toy ε-model. Log-probabilities are computed here, from the
// step's mean and std, so the sampler's and the trainer's log p are one formula.
import { type Module, type Tensor, tidy } from '../engine/index.js';
import type { AceTokens } from './ace.js';

/** Sampler settings that shape the policy (the same at sampling and at training). */
export interface StepOptions {
  /** DDIM steps S. */
  steps: number;
  /** DDIM η: 1 for policy gradients (σ_t > 0 on every step). */
  eta: number;
  /** Classifier-free guidance scale w (1 = no guidance). */
  guidance: number;
}

/** N(mean, std²) per pixel: std is [B, 1, 1, 1] (or broadcastable to mean). */
export interface StepDistribution {
  mean: Tensor;
  std: Tensor;
}

export interface DiffusionPolicy {
  /** The generator's trainable weights (ACE tokens are separate, in `ace`). */
  readonly module: Module;
  /** Learned tokens appended to every condition sequence (ACE), or null. */
  ace: AceTokens | null;
  /** Width D of the condition tokens [B, L, D] (the width ACE tokens need). */
  readonly conditionDim: number;
  /** One image's shape [C, H, W]; images are in [−1, 1]. */
  readonly imageShape: number[];
  /**
   * The reverse step from `xt` [B, C, H, W] at DDIM step indices `stepIndex` [B]
   * (0 = the first, noisiest step of `opts.steps`) given `conditions` [B].
   * Differentiable w.r.t. the module's weights and the ACE tokens.
   */
  stepDistribution(xt: Tensor, stepIndex: readonly number[], conditions: readonly string[], opts: StepOptions): StepDistribution;
  /** Per-sample ε-prediction loss [B] at integer timesteps `t` (0…T−1) with the given noise; a null condition is the NULL (unconditional) one. */
  diffusionLoss(x0: Tensor, conditions: ReadonlyArray<string | null>, noise: Tensor, t: readonly number[]): Tensor;
  /** Diffusion timesteps T of the schedule (1000). */
  readonly trainTimesteps: number;
  /** A copy with the same generator weights, no ACE, frozen (requiresGrad false) and in eval mode. */
  frozenCopy(): DiffusionPolicy;
  dispose(): void;
}

/**
 * Gaussian log-density of `x` under N(mean, std²), averaged over all but the batch
 * dimension (DDPO's convention): [B].
 */
export function gaussianLogProb(x: Tensor, mean: Tensor, std: Tensor): Tensor {
  return tidy(() => {
    const logp = x
      .sub(mean)
      .square()
      .div(std.square().mul(2))
      .neg()
      .sub(std.log())
      .sub(0.5 * Math.log(2 * Math.PI));
    return logp.flatten(1).mean(1);
  });
}

/** KL(N(μ₁, σ²) ‖ N(μ₂, σ²)) for equal stds, averaged over pixels: [B]. */
export function gaussianKlSameStd(mean1: Tensor, mean2: Tensor, std: Tensor): Tensor {
  return tidy(() => mean1.sub(mean2).square().div(std.square().mul(2)).flatten(1).mean(1));
}
