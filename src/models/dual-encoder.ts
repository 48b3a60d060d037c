// CXRL's consistency model: a CLIP-style image–text dual encoder. The image tower is
// the small conv trunk; the text tower embeds report tokens (words and negation
// bigrams, see text-tokenizer.ts), averages them over the real tokens and passes the
// mean through a two-layer MLP. Both project to a shared space and are L2-normalised,
// so their dot product is the cosine similarity; a learned temperature scales it for
// the InfoNCE loss (Radford et al. 2021).
import { Embedding, Linear, Module, type Tensor, noGrad, scalar, tensor, tidy } from '../engine/index.js';
import { type BackboneConfig, ConvBackbone } from './reward-net-backbone.js';
import { ReportTokenizer, type TextTokenizerConfig } from './text-tokenizer.js';

export interface DualEncoderConfig {
  inChannels: 1 | 3;
  imageSize: number;
  tokenizer: TextTokenizerConfig;
  widths: number[];
  convsPerStage: number;
  groups: number;
  /** Token embedding width. */
  textDim: number;
  /** Shared embedding width. */
  embedDim: number;
}

export const DEFAULT_DUAL_ENCODER_CONFIG: Omit<DualEncoderConfig, 'inChannels' | 'imageSize' | 'tokenizer'> = {
  widths: [16, 32, 64],
  convsPerStage: 1,
  groups: 8,
  textDim: 64,
  embedDim: 64,
};

export class DualEncoder extends Module {
  readonly config: DualEncoderConfig;
  readonly tokenizer: ReportTokenizer;
  readonly backbone: ConvBackbone;
  readonly imageProj: Linear;
  readonly tokenEmbed: Embedding;
  readonly textFc1: Linear;
  readonly textFc2: Linear;
  /** log of the inverse temperature, CLIP's init 1/0.07. */
  readonly logitScale: Tensor;

  constructor(config: Pick<DualEncoderConfig, 'inChannels' | 'imageSize' | 'tokenizer'> & Partial<DualEncoderConfig>) {
    super();
    this.config = { ...DEFAULT_DUAL_ENCODER_CONFIG, ...config };
    const c = this.config;
    this.tokenizer = new ReportTokenizer(c.tokenizer);
    const bb: BackboneConfig = { inChannels: c.inChannels, widths: c.widths, convsPerStage: c.convsPerStage, groups: c.groups, filmDim: 0 };
    this.backbone = this.child('backbone', new ConvBackbone(bb));
    this.imageProj = this.child('image_proj', new Linear(this.backbone.featureDim, c.embedDim));
    this.tokenEmbed = this.child('token_embed', new Embedding(this.tokenizer.size, c.textDim, 0.1));
    this.textFc1 = this.child('text_fc1', new Linear(c.textDim, c.textDim * 2));
    this.textFc2 = this.child('text_fc2', new Linear(c.textDim * 2, c.embedDim));
    this.logitScale = this.param('logit_scale', scalar(Math.log(1 / 0.07)));
  }

  /** Unit-norm image embeddings [N, embedDim] of images [N, C, H, W] in [0, 1]. */
  encodeImages(x: Tensor): Tensor {
    return tidy(() => l2normalise(this.imageProj.forward(this.backbone.forward(x))));
  }

  /** Unit-norm text embeddings [N, embedDim]. */
  encodeTexts(texts: ReadonlyArray<string>): Tensor {
    return tidy(() => {
      const len = this.tokenizer.config.maxLength;
      const ids = new BigInt64Array(texts.length * len);
      const mask = new Float32Array(texts.length * len);
      texts.forEach((t, i) => {
        const e = this.tokenizer.encode(t);
        e.ids.forEach((v, j) => (ids[i * len + j] = BigInt(v)));
        e.mask.forEach((v, j) => (mask[i * len + j] = v));
      });
      const m = tensor(mask, [texts.length, len, 1]);
      const emb = this.tokenEmbed.forward(tensor(ids, [texts.length, len], { dtype: 'int64' }));
      const mean = emb.mul(m).sum(1).div(m.sum(1).clamp(1));
      return l2normalise(this.textFc2.forward(this.textFc1.forward(mean).gelu()));
    });
  }

  /** Logit scale, clamped as CLIP does (≤ 100). */
  scale(): Tensor {
    return tidy(() => this.logitScale.exp().clamp(null, 100));
  }

  /** Clamps the learned temperature in place after a step. */
  clampScale(): void {
    noGrad(() => {
      const v = this.logitScale.item();
      if (v > Math.log(100)) this.logitScale.fill_(Math.log(100));
    });
  }
}

export function l2normalise(x: Tensor): Tensor {
  return tidy(() => x.div(x.norm(2, [1], true).clamp(1e-8)));
}
