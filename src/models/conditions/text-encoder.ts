// Report-text conditioning (CXRL-style, small): word tokens → learned token +
// positional embeddings → a pre-norm transformer encoder (2 layers by default),
// trained together with the generator. NULL = the empty text (only <cls>).
import { Embedding, LayerNorm, Linear, Module, type Tensor, arange, tensor, tidy } from '../../engine/index.js';
import { MultiHeadAttention } from '../attention.js';
import { ModuleList } from '../module-list.js';
import { ConditionEncoder, type ConditionTokens, type TextConditionConfig } from './condition-encoder.js';
import { WordTokenizer, buildVocabulary, type VocabularyOptions } from './word-tokenizer.js';

class TransformerEncoderLayer extends Module {
  readonly norm1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly norm2: LayerNorm;
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(dim: number, heads: number) {
    super();
    this.norm1 = this.child('norm1', new LayerNorm(dim));
    this.attn = this.child('attn', new MultiHeadAttention(dim, dim, heads));
    this.norm2 = this.child('norm2', new LayerNorm(dim));
    this.fc1 = this.child('fc1', new Linear(dim, dim * 4));
    this.fc2 = this.child('fc2', new Linear(dim * 4, dim));
  }
  forward(x: Tensor, mask: Tensor): Tensor {
    return tidy(() => {
      const n1 = this.norm1.forward(x);
      const h = x.add(this.attn.forward(n1, n1, mask));
      return h.add(this.fc2.forward(this.fc1.forward(this.norm2.forward(h)).gelu()));
    });
  }
}

export class TextConditionEncoder extends ConditionEncoder {
  readonly kind = 'text' as const;
  readonly dim: number;
  readonly tokenizer: WordTokenizer;
  readonly tokenEmbed: Embedding;
  readonly posEmbed: Embedding;
  readonly layers: ModuleList<TransformerEncoderLayer>;
  readonly finalNorm: LayerNorm;
  private readonly heads: number;

  constructor(cfg: Omit<TextConditionConfig, 'kind'>) {
    super();
    this.dim = cfg.dim;
    this.heads = cfg.heads;
    this.tokenizer = new WordTokenizer(cfg.vocabulary, cfg.maxLength);
    this.tokenEmbed = this.child('token_embed', new Embedding(cfg.vocabulary.length, cfg.dim, 0.02));
    this.posEmbed = this.child('pos_embed', new Embedding(cfg.maxLength, cfg.dim, 0.01));
    this.layers = this.child('layers', new ModuleList(Array.from({ length: cfg.layers }, () => new TransformerEncoderLayer(cfg.dim, cfg.heads))));
    this.finalNorm = this.child('final_norm', new LayerNorm(cfg.dim));
  }

  /** An encoder whose vocabulary comes from the training reports. */
  static fromTexts(texts: Iterable<string>, opts: VocabularyOptions & Partial<Omit<TextConditionConfig, 'kind' | 'vocabulary'>> = {}): TextConditionEncoder {
    return new TextConditionEncoder({
      vocabulary: buildVocabulary(texts, opts),
      dim: opts.dim ?? 128,
      maxLength: opts.maxLength ?? 48,
      layers: opts.layers ?? 2,
      heads: opts.heads ?? 4,
    });
  }

  validate(condition: string): void {
    void condition; // any text can be encoded (unknown words become <unk>)
  }

  encode(conditions: ReadonlyArray<string | null>): ConditionTokens {
    return tidy(() => {
      const len = this.tokenizer.maxLength;
      const ids = new BigInt64Array(conditions.length * len);
      const maskArr = new Float32Array(conditions.length * len);
      conditions.forEach((c, b) => {
        const enc = this.tokenizer.encode(c ?? '');
        enc.ids.forEach((id, j) => (ids[b * len + j] = BigInt(id)));
        for (let j = 0; j < enc.length; j++) maskArr[b * len + j] = 1;
      });
      const mask = tensor(maskArr, [conditions.length, len]);
      let h = this.tokenEmbed.forward(tensor(ids, [conditions.length, len], { dtype: 'int64' })).add(this.posEmbed.forward(arange(0, len, 1, { dtype: 'int64' })).unsqueeze(0));
      for (const layer of this.layers.items) h = layer.forward(h, mask);
      return { tokens: this.finalNorm.forward(h), mask };
    });
  }

  config(): TextConditionConfig {
    return { kind: 'text', vocabulary: [...this.tokenizer.vocabulary], dim: this.dim, maxLength: this.tokenizer.maxLength, layers: this.layers.length, heads: this.heads };
  }

  choices(): null {
    return null;
  }
}
