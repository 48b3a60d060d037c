// A small CNN image classifier: stages of (3×3 conv → GroupNorm → SiLU) with 2×2
// average pooling between stages, global average pooling to a feature vector,
// and a linear head. Its pooled features are the domain features the evaluation
// metrics (FID, PRDC) are computed in; its head is the downstream-utility
// classifier. Fully convolutional, so it runs at any input size, but it is
// trained (and its features are comparable) at `config.imageSize`.
import { Conv2d, F, GroupNorm, Linear, Module, type Tensor, seedInit, tidy } from '../engine/index.js';
import { ModuleList } from './module-list.js';

export interface ClassifierConfig {
  inChannels: 1 | 3;
  numClasses: number;
  /** Channels per stage; the last is the feature dimension. */
  widths: number[];
  /** Conv → GroupNorm → SiLU units per stage. */
  convsPerStage: number;
  /** GroupNorm groups (must divide every width). */
  groups: number;
  /** Side of the square images it is trained on (inputs are resized to it by the feature extractor). */
  imageSize: number;
  /** Dropout before the head (training only). */
  dropout: number;
}

export const DEFAULT_CLASSIFIER_CONFIG: Omit<ClassifierConfig, 'inChannels' | 'numClasses'> = {
  widths: [32, 64, 128],
  convsPerStage: 2,
  groups: 8,
  imageSize: 32,
  dropout: 0.1,
};

class ConvNormAct extends Module {
  readonly conv: Conv2d;
  readonly norm: GroupNorm;
  constructor(cin: number, cout: number, groups: number) {
    super();
    this.conv = this.child('conv', new Conv2d(cin, cout, 3, { padding: 1, bias: false }));
    this.norm = this.child('norm', new GroupNorm(groups, cout));
  }
  forward(x: Tensor): Tensor {
    return tidy(() => this.norm.forward(this.conv.forward(x)).silu());
  }
}

export class CnnClassifier extends Module {
  readonly config: ClassifierConfig;
  readonly stages: ModuleList<ModuleList<ConvNormAct>>;
  readonly head: Linear;

  constructor(config: Partial<ClassifierConfig> & Pick<ClassifierConfig, 'inChannels' | 'numClasses'>, seed = 0) {
    super();
    const cfg: ClassifierConfig = { ...DEFAULT_CLASSIFIER_CONFIG, ...config };
    for (const w of cfg.widths) if (w % cfg.groups !== 0) throw new RangeError(`CnnClassifier: width ${w} does not split into ${cfg.groups} groups`);
    this.config = cfg;
    seedInit(seed);
    let cin: number = cfg.inChannels;
    const stages: ModuleList<ConvNormAct>[] = [];
    for (const w of cfg.widths) {
      const convs: ConvNormAct[] = [];
      for (let i = 0; i < cfg.convsPerStage; i++) {
        convs.push(new ConvNormAct(cin, w, cfg.groups));
        cin = w;
      }
      stages.push(new ModuleList(convs));
    }
    this.stages = this.child('stages', new ModuleList(stages));
    this.head = this.child('head', new Linear(cin, cfg.numClasses));
  }

  get featureDim(): number {
    return this.config.widths[this.config.widths.length - 1]!;
  }

  /** Pooled features [N, featureDim] of images [N, C, H, W] in [0, 1]. */
  features(x: Tensor): Tensor {
    return tidy(() => {
      let h = x.mul(2).sub(1);
      this.stages.items.forEach((stage, s) => {
        if (s > 0) h = F.avgPool2d(h, 2, 2);
        for (const unit of stage.items) h = unit.forward(h);
      });
      return h.mean([2, 3]);
    });
  }

  /** Class logits [N, numClasses] from pooled features. */
  logitsFromFeatures(features: Tensor): Tensor {
    return tidy(() => this.head.forward(this.config.dropout > 0 ? F.dropout(features, this.config.dropout, this.training) : features));
  }

  /** Class logits [N, numClasses] of images [N, C, H, W] in [0, 1]. */
  forward(x: Tensor): Tensor {
    return tidy(() => this.logitsFromFeatures(this.features(x)));
  }
}
