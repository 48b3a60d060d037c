// DDPO-IS's surrogate (Black et al. 2023; PPO's clipped objective) for one
// denoising step of a batch: per sample max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)) with
// ρ = exp(log p_new − log p_old), averaged. Clipping removes the incentive to move
// ρ outside [1−ε, 1+ε], which keeps several inner epochs on one batch of
// trajectories safe. Also returns the two health signals DDPO logs.
import { type Tensor, tidy } from '../engine/index.js';

export interface ClippedPolicyLoss {
  /** Scalar loss (differentiable w.r.t. logpNew). */
  loss: Tensor;
  /** ½·mean((log p_new − log p_old)²). */
  approxKl: number;
  /** Share of samples with |ρ − 1| > ε. */
  clipFraction: number;
}

/** `advantages`, `logpNew`, `logpOld`: [B]; `clipRange` ε (DDPO: 1e-4). */
export function clippedPolicyLoss(advantages: Tensor, logpNew: Tensor, logpOld: Tensor, clipRange: number): ClippedPolicyLoss {
  let approxKl = 0;
  let clipFraction = 0;
  const loss = tidy(() => {
    const delta = logpNew.sub(logpOld.detach());
    const ratio = delta.exp();
    const adv = advantages.detach();
    const unclipped = adv.neg().mul(ratio);
    const clipped = adv.neg().mul(ratio.clamp(1 - clipRange, 1 + clipRange));
    approxKl = delta.detach().square().mean().item() / 2;
    clipFraction = ratio.detach().sub(1).abs().gt(clipRange).float().mean().item();
    return unclipped.maximum(clipped).mean();
  });
  return { loss, approxKl, clipFraction };
}
