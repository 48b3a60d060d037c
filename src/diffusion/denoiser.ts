// The model as the diffusion code sees it: something that predicts ε from
// (x_t, t, condition tokens), plus classifier-free guidance on top. Samplers and
// losses take this interface, not a UNet, so an ACE wrapper that appends tokens
// or a frozen anchor model plugs in unchanged.
import { type Tensor, cat, tensor, tidy } from '../engine/index.js';
import type { ConditionTokens } from '../models/conditions/condition-encoder.js';
import type { Prediction } from './prediction.js';

export interface EpsilonModel {
  /** ε̂(x_t, t, c): `x` [B, C, H, W], `t` [B] float timesteps, `cond` tokens for B samples. */
  predictEpsilon(x: Tensor, t: Tensor, cond: ConditionTokens): Tensor;
  /** The network's own parameterisation (absent: 'epsilon'); its training loss is taken in that space. */
  readonly prediction?: Prediction;
  /** The network's raw output (v̂ for a v-model), which the loss compares with its target. */
  predictOutput?(x: Tensor, t: Tensor, cond: ConditionTokens): Tensor;
}

/** Condition tokens, and for classifier-free guidance the NULL tokens and the scale w. */
export interface Guidance {
  cond: ConditionTokens;
  /** Tokens of the NULL condition for the same batch; needed when scale ≠ 1. */
  uncond?: ConditionTokens;
  /** w in ε = ε_u + w(ε_c − ε_u); 1 = plain conditional, 0 = unconditional. */
  scale: number;
}

export function timestepBatch(t: number, batch: number): Tensor {
  return tensor(new Float32Array(batch).fill(t), [batch]);
}

function sameShape(a: Tensor | undefined, b: Tensor | undefined): boolean {
  if (!a || !b) return a === b;
  return a.shape.join(',') === b.shape.join(',');
}

/** Concatenates two token batches along the batch dimension (masks filled with 1 where one side has none). */
export function catConditionTokens(a: ConditionTokens, b: ConditionTokens): ConditionTokens {
  return tidy(() => {
    const tokens = cat([a.tokens, b.tokens], 0);
    if (!a.mask && !b.mask) return { tokens };
    const ones = (c: ConditionTokens) => c.mask ?? tensor(new Float32Array(c.tokens.dim(0) * c.tokens.dim(1)).fill(1), [c.tokens.dim(0), c.tokens.dim(1)]);
    return { tokens, mask: cat([ones(a).float(), ones(b).float()], 0) };
  });
}

/**
 * ε = ε_u + w(ε_c − ε_u) at a timestep shared by the batch. When the conditional and
 * NULL tokens have the same shape both run in one doubled batch; w = 1 (or no NULL
 * tokens) runs only the conditional branch.
 */
export function guidedEpsilon(model: EpsilonModel, x: Tensor, t: number, g: Guidance): Tensor {
  return tidy(() => {
    const b = x.dim(0);
    if (g.scale === 1 || !g.uncond) return model.predictEpsilon(x, timestepBatch(t, b), g.cond);
    let epsC: Tensor;
    let epsU: Tensor;
    if (sameShape(g.cond.tokens, g.uncond.tokens) && sameShape(g.cond.mask, g.uncond.mask)) {
      const both = model.predictEpsilon(cat([x, x], 0), timestepBatch(t, 2 * b), catConditionTokens(g.cond, g.uncond));
      [epsC, epsU] = both.split([b, b], 0) as [Tensor, Tensor];
    } else {
      epsC = model.predictEpsilon(x, timestepBatch(t, b), g.cond);
      epsU = model.predictEpsilon(x, timestepBatch(t, b), g.uncond);
    }
    return epsU.add(epsC.sub(epsU).mul(g.scale));
  });
}
