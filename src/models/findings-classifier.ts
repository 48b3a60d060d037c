// CXRL's diagnostic model: a CNN that reads which radiological findings an X-ray
// shows, as independent (multi-label) logits, one per finding name.
import { Linear, Module, type Tensor, tidy } from '../engine/index.js';
import { type BackboneConfig, ConvBackbone } from './reward-net-backbone.js';

export interface FindingsClassifierConfig {
  inChannels: 1 | 3;
  imageSize: number;
  /** Finding names, one logit each, in this order. */
  findings: string[];
  widths: number[];
  convsPerStage: number;
  groups: number;
}

export const DEFAULT_FINDINGS_CONFIG: Omit<FindingsClassifierConfig, 'inChannels' | 'imageSize' | 'findings'> = { widths: [16, 32, 64], convsPerStage: 1, groups: 8 };

export class FindingsClassifier extends Module {
  readonly config: FindingsClassifierConfig;
  readonly backbone: ConvBackbone;
  readonly head: Linear;
  constructor(config: Pick<FindingsClassifierConfig, 'inChannels' | 'imageSize' | 'findings'> & Partial<FindingsClassifierConfig>) {
    super();
    if (config.findings.length === 0) throw new RangeError('FindingsClassifier: needs at least one finding');
    this.config = { ...DEFAULT_FINDINGS_CONFIG, ...config };
    const bb: BackboneConfig = { inChannels: this.config.inChannels, widths: this.config.widths, convsPerStage: this.config.convsPerStage, groups: this.config.groups, filmDim: 0 };
    this.backbone = this.child('backbone', new ConvBackbone(bb));
    this.head = this.child('head', new Linear(this.backbone.featureDim, this.config.findings.length));
  }
  /** Finding logits [N, findings] of images [N, C, H, W] in [0, 1]. */
  forward(x: Tensor): Tensor {
    return tidy(() => this.head.forward(this.backbone.forward(x)));
  }
}
