// Cell-type conditioning (Sun et al.): a learned embedding table with
// `tokensPerClass` tokens for each class and for one extra NULL class (index
// = classes.length), which the generator learns when training drops conditions.
import { Embedding, type Tensor, arange, tensor, tidy } from '../../engine/index.js';
import { type ClassConditionConfig, ConditionEncoder, type ConditionTokens, UnknownConditionError } from './condition-encoder.js';

export class ClassConditionEncoder extends ConditionEncoder {
  readonly kind = 'class' as const;
  readonly dim: number;
  readonly classes: string[];
  readonly tokensPerClass: number;
  readonly table: Embedding;
  private readonly index: Map<string, number>;

  constructor(cfg: Omit<ClassConditionConfig, 'kind'>) {
    super();
    if (cfg.classes.length === 0) throw new Error('ClassConditionEncoder: no classes');
    this.classes = [...cfg.classes];
    this.dim = cfg.dim;
    this.tokensPerClass = cfg.tokensPerClass;
    this.index = new Map(this.classes.map((c, i) => [c, i]));
    // std 0.02 keeps early cross-attention logits small (as GPT/CLIP token tables).
    this.table = this.child('table', new Embedding((this.classes.length + 1) * this.tokensPerClass, this.dim, 0.02));
  }

  get nullIndex(): number {
    return this.classes.length;
  }

  classIndex(condition: string | null): number {
    if (condition === null || condition === '') return this.nullIndex;
    const i = this.index.get(condition);
    if (i === undefined) throw new UnknownConditionError(condition, this.classes);
    return i;
  }

  validate(condition: string): void {
    this.classIndex(condition);
  }

  encode(conditions: ReadonlyArray<string | null>): ConditionTokens {
    return this.encodeIndices(conditions.map((c) => this.classIndex(c)));
  }

  /** Tokens for class indices (nullIndex = NULL). */
  encodeIndices(indices: ReadonlyArray<number>): ConditionTokens {
    return tidy(() => {
      const k = this.tokensPerClass;
      const base = tensor(BigInt64Array.from(indices, (i) => BigInt(i * k)), [indices.length, 1], { dtype: 'int64' });
      const ids = base.add(arange(0, k, 1, { dtype: 'int64' }).unsqueeze(0));
      const tokens: Tensor = this.table.forward(ids);
      return { tokens };
    });
  }

  config(): ClassConditionConfig {
    return { kind: 'class', classes: [...this.classes], dim: this.dim, tokensPerClass: this.tokensPerClass };
  }

  choices(): string[] {
    return [...this.classes];
  }
}
