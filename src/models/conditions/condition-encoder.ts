// What a condition becomes before it reaches the UNet: a sequence of embeddings
// [B, L, D] and a mask [B, L] (1 = real token, 0 = padding). Encoders turn the
// user-facing condition (a class name, a report) into tokens; `null` (or '') is the
// NULL condition that classifier-free guidance drops to. The UNet only ever sees
// tokens, so later work can append learned tokens (ACE) or differentiate w.r.t. them.
import { Module, type Tensor } from '../../engine/index.js';

export interface ConditionTokens {
  /** [B, L, D] */
  tokens: Tensor;
  /** [B, L], 1 = attend, 0 = padding; absent when every position is real. */
  mask?: Tensor;
}

export type ConditionKind = 'class' | 'text';

export interface ClassConditionConfig {
  kind: 'class';
  classes: string[];
  dim: number;
  tokensPerClass: number;
}

export interface TextConditionConfig {
  kind: 'text';
  /** The tokenizer's vocabulary, index = token id (special tokens first). */
  vocabulary: string[];
  dim: number;
  maxLength: number;
  layers: number;
  heads: number;
}

export type ConditionEncoderConfig = ClassConditionConfig | TextConditionConfig;

/** A condition the model cannot encode (an unknown class name); lists the valid ones. */
export class UnknownConditionError extends Error {
  override name = 'UnknownConditionError';
  constructor(
    readonly condition: string,
    readonly valid: string[],
  ) {
    super(`unknown condition '${condition}': this model's classes are ${valid.join(', ')}`);
  }
}

export abstract class ConditionEncoder extends Module {
  abstract readonly kind: ConditionKind;
  /** Token width D. */
  abstract readonly dim: number;
  /** Encodes a batch; `null` or '' is the NULL condition (classifier-free guidance). */
  abstract encode(conditions: ReadonlyArray<string | null>): ConditionTokens;
  /** Throws UnknownConditionError when `condition` cannot be encoded. */
  abstract validate(condition: string): void;
  /** Plain data that rebuilds this encoder (saved beside the weights). */
  abstract config(): ConditionEncoderConfig;
  /** The conditions users pick from (class names), or null for free text. */
  abstract choices(): string[] | null;
}
