// Adaptive condition embeddings (ACE, Han et al. 2024): K learnable tokens appended
// to every condition's token sequence [B, L, D] → [B, L+K, D]. They are trained
// jointly with the generator by the policy loss, with their own learning rate (a
// separate optimizer param group), saved with the checkpoint and used at sampling.
import { type Generator, Module, type Tensor, cat, normal, ones, tidy } from '../engine/index.js';
import type { ConditionTokens } from '../models/conditions/index.js';

export class AceTokens extends Module {
  readonly tokens: Tensor;

  /**
   * `std` is the initial scale: small (0.02, like the class-token tables) so the
   * finetuned model starts close to the pretrained one.
   */
  constructor(
    readonly count: number,
    readonly dim: number,
    opts: { std?: number; generator?: Generator } = {},
  ) {
    super();
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`AceTokens: count must be a positive integer, got ${count}`);
    this.tokens = this.param('tokens', normal([count, dim], opts.std ?? 0.02, opts.generator));
  }

  /** Appends the K tokens to a batch of condition tokens (and marks them real in the mask). */
  append(cond: ConditionTokens): ConditionTokens {
    return tidy(() => {
      const [b, , d] = cond.tokens.shape as [number, number, number];
      if (d !== this.dim) throw new RangeError(`AceTokens: condition tokens have width ${d}, ACE tokens ${this.dim}`);
      const extra = this.tokens.unsqueeze(0).expand([b, this.count, d]);
      const tokens = cat([cond.tokens, extra], 1);
      if (!cond.mask) return { tokens };
      return { tokens, mask: cat([cond.mask.float(), ones([b, this.count])], 1) };
    });
  }
}
