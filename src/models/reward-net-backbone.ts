// The small convolutional trunk shared by the reward-side models (plausibility
// reward net, posture regressor, findings classifier, dual encoder's image tower):
// stages of 3×3 conv → GroupNorm → (optional FiLM) → SiLU, 2×2 average pooling
// between stages, global pooling at the end (average by default; the plausibility net
// takes the maximum, see ./reward-net.ts). Kept small on purpose: these models train
// from a few hundred images on a 2-core CPU in seconds.
import { Conv2d, F, GroupNorm, Linear, Module, type Tensor, noGrad, tidy } from '../engine/index.js';
import { ModuleList } from './module-list.js';

/** How the last stage's feature map becomes one vector: its mean, or its maximum over positions. */
export const GLOBAL_POOLS = ['mean', 'max'] as const;
export type GlobalPool = (typeof GLOBAL_POOLS)[number];
export const isGlobalPool = (x: unknown): x is GlobalPool => (GLOBAL_POOLS as readonly unknown[]).includes(x);
/** `x` as a pooling, or a RangeError `<owner>: unknown <key> 'x' (known: …)`. */
export function toGlobalPool(x: unknown, owner: string, key: string): GlobalPool {
  if (!isGlobalPool(x)) throw new RangeError(`${owner}: unknown ${key} '${String(x)}' (known: ${GLOBAL_POOLS.join(', ')})`);
  return x;
}

export interface BackboneConfig {
  inChannels: number;
  /** Channels per stage; the last is the feature dimension. */
  widths: number[];
  /** Conv units per stage. */
  convsPerStage: number;
  /** GroupNorm groups (must divide every width). */
  groups: number;
  /** Width of the conditioning vector for FiLM, 0 for none. */
  filmDim: number;
  /** Global pooling (default 'mean'). */
  globalPool?: GlobalPool;
}

/** Scale/shift of normalised activations from a conditioning vector (Perez et al. 2018); starts at identity. */
class Film extends Module {
  readonly proj: Linear;
  constructor(
    condDim: number,
    readonly channels: number,
  ) {
    super();
    this.proj = this.child('proj', new Linear(condDim, 2 * channels));
    // Zero init: the net starts as an unconditional CNN, conditioning grows in.
    noGrad(() => {
      this.proj.weight.zero_();
      this.proj.bias!.zero_();
    });
  }
  forward(h: Tensor, cond: Tensor): Tensor {
    return tidy(() => {
      const [gamma, beta] = this.proj.forward(cond).chunk(2, 1) as [Tensor, Tensor];
      return h.mul(gamma.add(1).unsqueeze(2).unsqueeze(3)).add(beta.unsqueeze(2).unsqueeze(3));
    });
  }
}

class ConvUnit extends Module {
  readonly conv: Conv2d;
  readonly norm: GroupNorm;
  readonly film: Film | null;
  constructor(cin: number, cout: number, groups: number, filmDim: number) {
    super();
    this.conv = this.child('conv', new Conv2d(cin, cout, 3, { padding: 1, bias: false }));
    this.norm = this.child('norm', new GroupNorm(groups, cout));
    this.film = filmDim > 0 ? this.child('film', new Film(filmDim, cout)) : null;
  }
  forward(x: Tensor, cond?: Tensor): Tensor {
    return tidy(() => {
      let h = this.norm.forward(this.conv.forward(x));
      if (this.film && cond) h = this.film.forward(h, cond);
      return h.silu();
    });
  }
}

export class ConvBackbone extends Module {
  readonly stages: ModuleList<ModuleList<ConvUnit>>;
  constructor(readonly config: BackboneConfig) {
    super();
    if (config.globalPool !== undefined) toGlobalPool(config.globalPool, 'ConvBackbone', 'globalPool');
    for (const w of config.widths) if (w % config.groups !== 0) throw new RangeError(`ConvBackbone: width ${w} does not split into ${config.groups} groups`);
    let cin: number = config.inChannels;
    const stages: ModuleList<ConvUnit>[] = [];
    for (const w of config.widths) {
      const units: ConvUnit[] = [];
      for (let i = 0; i < config.convsPerStage; i++) {
        units.push(new ConvUnit(cin, w, config.groups, config.filmDim));
        cin = w;
      }
      stages.push(new ModuleList(units));
    }
    this.stages = this.child('stages', new ModuleList(stages));
  }

  get featureDim(): number {
    return this.config.widths[this.config.widths.length - 1]!;
  }

  /** Pooled features [N, featureDim] of images [N, C, H, W] in [0, 1], FiLM-conditioned on `cond` [N, filmDim] if given. */
  forward(x: Tensor, cond?: Tensor): Tensor {
    return tidy(() => {
      let h = x.mul(2).sub(1);
      this.stages.items.forEach((stage, s) => {
        if (s > 0) h = F.avgPool2d(h, 2, 2);
        for (const unit of stage.items) h = unit.forward(h, cond);
      });
      return this.config.globalPool === 'max' ? h.amax([2, 3]) : h.mean([2, 3]);
    });
  }
}
