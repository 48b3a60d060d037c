// The denoising UNet (improved-diffusion's UNetModel, trimmed): residual blocks with
// GroupNorm + SiLU at every level, sinusoidal timestep embedding, self-attention and
// cross-attention to condition tokens at the low resolutions, skip connections
// between matching levels. Conditioning enters twice: the token sequence through
// cross-attention, and the tokens' (masked) mean projected and added to the
// timestep embedding. The UNet does not encode conditions itself: callers pass
// tokens from a ConditionEncoder, possibly with extra learned tokens appended
// (ACE), and may read gradients w.r.t. them.
import { Conv2d, GroupNorm, Linear, Module, type Tensor, cat, tidy } from '../engine/index.js';
import { AttentionBlock } from './attention.js';
import { ModuleList } from './module-list.js';
import { Downsample, ResBlock, Upsample } from './resblock.js';
import { TimestepEmbedder } from './timestep-embedding.js';
import { zeroModule } from './zero-init.js';

export interface UNetConfig {
  /** Input height = width (32 or 64; any multiple of 2^(levels−1) works). */
  resolution: number;
  inChannels: number;
  /** Width of the first level; level i has baseChannels·channelMult[i]. */
  baseChannels: number;
  channelMult: number[];
  numResBlocks: number;
  /** Feature-map sizes (e.g. [8] or [16, 8]) that get attention blocks. */
  attentionResolutions: number[];
  heads: number;
  /** GroupNorm groups; every level width must be divisible by it. */
  groups: number;
  dropout: number;
  /** Width D of condition tokens [B, L, D]; null builds an unconditional UNet. */
  contextDim: number | null;
}

export class UNetConfigError extends Error {
  override name = 'UNetConfigError';
}

/**
 * The default model for a resolution: ~3 M parameters at 32×32 (base width 32,
 * widths 32/64/128), which trains at a useful rate on 2 CPU cores: the cost sits in
 * the full-resolution convolutions, so width goes to the cheap low-resolution levels.
 */
export function defaultUNetConfig(resolution: number, inChannels: number, contextDim: number | null): UNetConfig {
  return {
    resolution,
    inChannels,
    baseChannels: 32,
    channelMult: resolution >= 64 ? [1, 2, 2, 4] : [1, 2, 4],
    numResBlocks: 1,
    attentionResolutions: [8],
    heads: 4,
    groups: 8,
    dropout: 0,
    contextDim,
  };
}

export function validateUNetConfig(c: UNetConfig): void {
  const levels = c.channelMult.length;
  if (levels < 1) throw new UNetConfigError('channelMult must list at least one level');
  if (c.resolution % 2 ** (levels - 1) !== 0) throw new UNetConfigError(`resolution ${c.resolution} is not divisible by 2^${levels - 1} (${levels} levels)`);
  for (const m of c.channelMult) {
    const w = c.baseChannels * m;
    if (w % c.groups !== 0) throw new UNetConfigError(`level width ${w} is not divisible by ${c.groups} GroupNorm groups`);
    if (w % c.heads !== 0) throw new UNetConfigError(`level width ${w} does not split into ${c.heads} attention heads`);
  }
  if (c.inChannels !== 1 && c.inChannels !== 3) throw new UNetConfigError(`inChannels must be 1 or 3, got ${c.inChannels}`);
}

/** One step of the encoder or decoder path: a residual block, optionally attention, optionally resampling. */
class UNetLevelBlock extends Module {
  readonly res: ResBlock;
  readonly attn: AttentionBlock | null;
  readonly upsample: Upsample | null;
  constructor(res: ResBlock, attn: AttentionBlock | null, upsample: Upsample | null) {
    super();
    this.res = this.child('res', res);
    this.attn = attn ? this.child('attn', attn) : null;
    this.upsample = upsample ? this.child('upsample', upsample) : null;
  }
  forward(x: Tensor, emb: Tensor, context?: Tensor, mask?: Tensor): Tensor {
    return tidy(() => {
      let h = this.res.forward(x, emb);
      if (this.attn) h = this.attn.forward(h, context, mask);
      if (this.upsample) h = this.upsample.forward(h);
      return h;
    });
  }
}

export class UNet extends Module {
  readonly timeEmbed: TimestepEmbedder;
  readonly condProj: Linear | null;
  readonly inputConv: Conv2d;
  readonly down: ModuleList<UNetLevelBlock | Downsample>;
  readonly mid: ModuleList<UNetLevelBlock>;
  readonly up: ModuleList<UNetLevelBlock>;
  readonly outNorm: GroupNorm;
  readonly outConv: Conv2d;

  constructor(readonly config: UNetConfig) {
    super();
    validateUNetConfig(config);
    const { baseChannels: base, channelMult, numResBlocks, groups, heads, dropout, contextDim } = config;
    const embedDim = base * 4;
    this.timeEmbed = this.child('time_embed', new TimestepEmbedder(base, embedDim));
    this.condProj = contextDim === null ? null : this.child('cond_proj', new Linear(contextDim, embedDim));
    this.inputConv = this.child('input_conv', new Conv2d(config.inChannels, base, 3, { padding: 1 }));
    const makeAttn = (ch: number, res: number) => (config.attentionResolutions.includes(res) ? new AttentionBlock(ch, groups, heads, contextDim) : null);

    const down: (UNetLevelBlock | Downsample)[] = [];
    const skipChannels: number[] = [base];
    let ch = base;
    let res = config.resolution;
    channelMult.forEach((mult, level) => {
      for (let i = 0; i < numResBlocks; i++) {
        const out = base * mult;
        down.push(new UNetLevelBlock(new ResBlock(ch, out, embedDim, groups, dropout), makeAttn(out, res), null));
        ch = out;
        skipChannels.push(ch);
      }
      if (level !== channelMult.length - 1) {
        down.push(new Downsample(ch));
        skipChannels.push(ch);
        res /= 2;
      }
    });
    this.down = this.child('down', new ModuleList(down));
    this.mid = this.child(
      'mid',
      new ModuleList([
        new UNetLevelBlock(new ResBlock(ch, ch, embedDim, groups, dropout), new AttentionBlock(ch, groups, heads, contextDim), null),
        new UNetLevelBlock(new ResBlock(ch, ch, embedDim, groups, dropout), null, null),
      ]),
    );
    const up: UNetLevelBlock[] = [];
    [...channelMult.entries()].reverse().forEach(([level, mult]) => {
      for (let i = 0; i <= numResBlocks; i++) {
        const out = base * mult;
        const skip = skipChannels.pop()!;
        const upsample = level > 0 && i === numResBlocks ? new Upsample(out) : null;
        up.push(new UNetLevelBlock(new ResBlock(ch + skip, out, embedDim, groups, dropout), makeAttn(out, res), upsample));
        ch = out;
        if (upsample) res *= 2;
      }
    });
    this.up = this.child('up', new ModuleList(up));
    this.outNorm = this.child('out_norm', new GroupNorm(groups, ch));
    this.outConv = this.child('out_conv', zeroModule(new Conv2d(ch, config.inChannels, 3, { padding: 1 })));
  }

  /**
   * Predicts the noise ε in `x` [B, C, H, W] at timesteps `t` [B] (float, 0…T−1)
   * given condition tokens [B, L, D] (from `ConditionEncoder.encode`, possibly with
   * extra tokens appended) and their mask [B, L] (1 = real token, 0 = padding).
   */
  forward(x: Tensor, t: Tensor, condTokens?: Tensor, condMask?: Tensor): Tensor {
    return tidy(() => {
      let emb = this.timeEmbed.forward(t);
      if (this.condProj) {
        if (!condTokens) throw new UNetConfigError('this UNet is conditional: forward() needs condition tokens [B, L, D]');
        emb = emb.add(this.condProj.forward(pooledTokens(condTokens, condMask)));
      }
      let h = this.inputConv.forward(x);
      const skips: Tensor[] = [h];
      for (const block of this.down.items) {
        h = block instanceof Downsample ? block.forward(h) : block.forward(h, emb, condTokens, condMask);
        skips.push(h);
      }
      for (const block of this.mid.items) h = block.forward(h, emb, condTokens, condMask);
      for (const block of this.up.items) h = block.forward(cat([h, skips.pop()!], 1), emb, condTokens, condMask);
      return this.outConv.forward(this.outNorm.forward(h).silu());
    });
  }
}

/** Mean of the tokens [B, L, D] over real positions (mask [B, L]) → [B, D]. */
export function pooledTokens(tokens: Tensor, mask?: Tensor): Tensor {
  return tidy(() => {
    if (!mask) return tokens.mean(1);
    const m = mask.float().unsqueeze(-1);
    return tokens.mul(m).sum(1).div(m.sum(1).clamp(1, null));
  });
}
