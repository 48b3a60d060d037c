// Attention layers: multi-head attention over token sequences (shared by the
// UNet's 2-D attention and the text encoder's transformer), and the UNet's
// attention block: self-attention over pixels, then cross-attention from pixels
// to the condition tokens (Rombach et al.'s SpatialTransformer, without the MLP).
import { F, GroupNorm, Linear, Module, type Tensor, tidy } from '../engine/index.js';
import { zeroModule } from './zero-init.js';

/** A key mask [B, L] (1 = attend, 0 = padding) → an additive mask [B, 1, 1, L]. */
export function additiveKeyMask(mask: Tensor): Tensor {
  return tidy(() => mask.float().rsub(1).mul(-1e9).unsqueeze(1).unsqueeze(1));
}

export class MultiHeadAttention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly out: Linear;
  constructor(
    readonly queryDim: number,
    readonly contextDim: number,
    readonly heads: number,
    opts: { zeroOut?: boolean } = {},
  ) {
    super();
    if (queryDim % heads !== 0) throw new Error(`MultiHeadAttention: width ${queryDim} does not split into ${heads} heads`);
    this.q = this.child('q', new Linear(queryDim, queryDim, { bias: false }));
    this.k = this.child('k', new Linear(contextDim, queryDim, { bias: false }));
    this.v = this.child('v', new Linear(contextDim, queryDim, { bias: false }));
    const out = new Linear(queryDim, queryDim);
    this.out = this.child('out', opts.zeroOut ? zeroModule(out) : out);
  }

  /** `x` [B, N, queryDim] attends to `context` [B, L, contextDim] (default: itself); `mask` [B, L]. */
  forward(x: Tensor, context: Tensor = x, mask?: Tensor): Tensor {
    return tidy(() => {
      const [b, n] = x.shape as [number, number, number];
      const l = context.dim(1);
      const d = this.queryDim / this.heads;
      const split = (t: Tensor, len: number) => t.reshape([b, len, this.heads, d]).permute([0, 2, 1, 3]);
      const q = split(this.q.forward(x), n);
      const k = split(this.k.forward(context), l);
      const v = split(this.v.forward(context), l);
      const att = F.scaledDotProductAttention(q, k, v, mask ? additiveKeyMask(mask) : undefined);
      return this.out.forward(att.permute([0, 2, 1, 3]).reshape([b, n, this.queryDim]));
    });
  }
}

/**
 * Self-attention over the H·W positions of a feature map, then (when the UNet is
 * conditional) cross-attention to the condition tokens; both residual, both with
 * zero-initialised output projections so the block starts as the identity.
 */
export class AttentionBlock extends Module {
  readonly norm: GroupNorm;
  readonly selfAttn: MultiHeadAttention;
  readonly crossNorm: GroupNorm | null;
  readonly crossAttn: MultiHeadAttention | null;
  constructor(channels: number, groups: number, heads: number, contextDim: number | null) {
    super();
    this.norm = this.child('norm', new GroupNorm(groups, channels));
    this.selfAttn = this.child('self_attn', new MultiHeadAttention(channels, channels, heads, { zeroOut: true }));
    this.crossNorm = contextDim === null ? null : this.child('cross_norm', new GroupNorm(groups, channels));
    this.crossAttn = contextDim === null ? null : this.child('cross_attn', new MultiHeadAttention(channels, contextDim, heads, { zeroOut: true }));
  }

  /** `x` [B, C, H, W]; `context` [B, L, D] and its mask [B, L]. */
  forward(x: Tensor, context?: Tensor, mask?: Tensor): Tensor {
    return tidy(() => {
      const [b, c, hgt, wid] = x.shape as [number, number, number, number];
      const toSeq = (t: Tensor) => t.reshape([b, c, hgt * wid]).permute([0, 2, 1]);
      const fromSeq = (t: Tensor) => t.permute([0, 2, 1]).reshape([b, c, hgt, wid]);
      let h = x.add(fromSeq(this.selfAttn.forward(toSeq(this.norm.forward(x)))));
      if (this.crossAttn && this.crossNorm && context) {
        h = h.add(fromSeq(this.crossAttn.forward(toSeq(this.crossNorm.forward(h)), context, mask)));
      }
      return h;
    });
  }
}
