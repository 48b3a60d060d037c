// A small word tokenizer for report text (CXRL): lower-case alphanumeric words,
// a vocabulary of the most frequent training words, ids padded to a fixed length.
// Every sequence starts with <cls>, so even the empty (NULL) text has one real token.
export const PAD = '<pad>';
export const UNK = '<unk>';
export const CLS = '<cls>';
export const SPECIAL_TOKENS = [PAD, UNK, CLS] as const;

export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

export interface VocabularyOptions {
  /** Largest vocabulary, special tokens included (default 2000). */
  maxSize?: number;
  /** Words seen fewer times become <unk> (default 2). */
  minCount?: number;
}

/** Special tokens, then words by falling frequency (ties alphabetical). */
export function buildVocabulary(texts: Iterable<string>, opts: VocabularyOptions = {}): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of words(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const minCount = opts.minCount ?? 2;
  const ranked = [...counts].filter(([, n]) => n >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return [...SPECIAL_TOKENS, ...ranked.slice(0, Math.max(0, (opts.maxSize ?? 2000) - SPECIAL_TOKENS.length)).map(([w]) => w)];
}

export class WordTokenizer {
  private readonly ids: Map<string, number>;
  constructor(
    readonly vocabulary: string[],
    readonly maxLength: number,
  ) {
    SPECIAL_TOKENS.forEach((s, i) => {
      if (vocabulary[i] !== s) throw new Error(`WordTokenizer: vocabulary must start with ${SPECIAL_TOKENS.join(', ')}`);
    });
    this.ids = new Map(vocabulary.map((w, i) => [w, i]));
  }
  /** Ids [<cls>, w1, w2, …] truncated to maxLength, and their real length. */
  encode(text: string): { ids: number[]; length: number } {
    const unk = this.ids.get(UNK)!;
    const ids = [this.ids.get(CLS)!, ...words(text).map((w) => this.ids.get(w) ?? unk)].slice(0, this.maxLength);
    const length = ids.length;
    while (ids.length < this.maxLength) ids.push(this.ids.get(PAD)!);
    return { ids, length };
  }
}
