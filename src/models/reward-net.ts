// The plausibility reward model of Sun et al. (2023): image + intended condition →
// logit of P(plausible | image, condition), plus one failure logit per checklist
// criterion. The condition is a learned class embedding that modulates every conv
// stage (FiLM) and meets the pooled image features again in the head (concatenated
// with their elementwise product), so "a good cell of the wrong class" is easy to
// represent: the wrong-class task is what the real images teach.
import { Embedding, Linear, Module, type Tensor, cat, tensor, tidy } from '../engine/index.js';
import { type BackboneConfig, ConvBackbone, type GlobalPool } from './reward-net-backbone.js';

export interface RewardNetConfig {
  inChannels: 1 | 3;
  /** Side of the square input (images are resized to it). */
  imageSize: number;
  /** Condition names; the embedding row is the index here. */
  conditions: string[];
  /** Checklist criterion ids, one failure logit each (may be empty). */
  criteria: string[];
  widths: number[];
  convsPerStage: number;
  groups: number;
  embedDim: number;
  hidden: number;
  /**
   * Global pooling of the image features. 'max' (the default) keeps a small local sign,
   * such as a vacuole of a few pale pixels, that averaging over the image dilutes: on
   * valid vs. wrong-vacuoles cells with exact labels (150 of each per class, 32 px) held-out
   * AUROC went from 0.78–0.97 to 0.96–1.0. Model files written before this key load as 'mean'.
   */
  pooling: GlobalPool;
}

export const DEFAULT_REWARD_NET_CONFIG: Omit<RewardNetConfig, 'inChannels' | 'imageSize' | 'conditions' | 'criteria'> = {
  widths: [16, 32, 64],
  convsPerStage: 1,
  groups: 8,
  embedDim: 32,
  hidden: 64,
  pooling: 'max',
};

export class UnknownRewardConditionError extends Error {
  override name = 'UnknownRewardConditionError';
  constructor(
    readonly condition: string,
    readonly known: string[],
  ) {
    super(`reward model does not know condition '${condition}' (known: ${known.join(', ')})`);
  }
}

export class PlausibilityRewardNet extends Module {
  readonly config: RewardNetConfig;
  readonly embed: Embedding;
  readonly backbone: ConvBackbone;
  readonly condProj: Linear;
  readonly fc1: Linear;
  readonly fc2: Linear;
  private readonly index: Map<string, number>;

  constructor(config: Pick<RewardNetConfig, 'inChannels' | 'imageSize' | 'conditions' | 'criteria'> & Partial<RewardNetConfig>) {
    super();
    const cfg: RewardNetConfig = { ...DEFAULT_REWARD_NET_CONFIG, ...config };
    if (cfg.conditions.length === 0) throw new RangeError('PlausibilityRewardNet: needs at least one condition');
    this.config = cfg;
    this.index = new Map(cfg.conditions.map((c, i) => [c, i]));
    const bb: BackboneConfig = { inChannels: cfg.inChannels, widths: cfg.widths, convsPerStage: cfg.convsPerStage, groups: cfg.groups, filmDim: cfg.embedDim, globalPool: cfg.pooling };
    this.embed = this.child('embed', new Embedding(cfg.conditions.length, cfg.embedDim, 1));
    this.backbone = this.child('backbone', new ConvBackbone(bb));
    const d = this.backbone.featureDim;
    this.condProj = this.child('cond_proj', new Linear(cfg.embedDim, d));
    this.fc1 = this.child('fc1', new Linear(2 * d + cfg.embedDim, cfg.hidden));
    this.fc2 = this.child('fc2', new Linear(cfg.hidden, 1 + cfg.criteria.length));
  }

  /** Embedding-row indices (int64 [N]) of condition names; an unknown name throws naming it. */
  conditionIndices(conditions: ReadonlyArray<string>): Tensor {
    const ids = conditions.map((c) => {
      const i = this.index.get(c);
      if (i === undefined) throw new UnknownRewardConditionError(c, this.config.conditions);
      return BigInt(i);
    });
    return tensor(BigInt64Array.from(ids), [ids.length], { dtype: 'int64' });
  }

  /** The head's hidden features z [N, hidden], the input of the last layer (active choice embeds candidates by them). */
  features(x: Tensor, conditionIdx: Tensor): Tensor {
    return tidy(() => {
      const e = this.embed.forward(conditionIdx);
      const h = this.backbone.forward(x, e);
      const p = this.condProj.forward(e);
      return this.fc1.forward(cat([h, h.mul(p), e], 1)).silu();
    });
  }

  /** Logits [N, 1 + criteria]: column 0 is the plausibility score s(x, c), the rest are criterion failures. */
  forward(x: Tensor, conditionIdx: Tensor): Tensor {
    return tidy(() => this.fc2.forward(this.features(x, conditionIdx)));
  }
}
