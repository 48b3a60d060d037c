// Condition encoders, and the factory that rebuilds one from its saved config.
import { ClassConditionEncoder } from './class-encoder.js';
import type { ConditionEncoder, ConditionEncoderConfig } from './condition-encoder.js';
import { TextConditionEncoder } from './text-encoder.js';

export * from './condition-encoder.js';
export { ClassConditionEncoder } from './class-encoder.js';
export { TextConditionEncoder } from './text-encoder.js';
export { WordTokenizer, buildVocabulary, words } from './word-tokenizer.js';
export { appendTokens } from './append-tokens.js';

export function createConditionEncoder(cfg: ConditionEncoderConfig): ConditionEncoder {
  return cfg.kind === 'class' ? new ClassConditionEncoder(cfg) : new TextConditionEncoder(cfg);
}
