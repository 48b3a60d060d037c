// Report text → token ids for the image–text dual encoder: lower-case alphanumeric
// words, a vocabulary of the most frequent training words (plus <pad>, <unk>),
// fixed-length id sequences with a mask. Negations matter in reports ("no effusion"),
// so "no" and "without" stay ordinary words and are also joined to the next word
// as one bigram token ("no_effusion"), which a bag-of-words encoder can tell apart.
export const TEXT_PAD = '<pad>';
export const TEXT_UNK = '<unk>';

const NEGATIONS = new Set(['no', 'not', 'without', 'absent', 'negative']);

export function reportTokens(text: string): string[] {
  const ws = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const out: string[] = [];
  ws.forEach((w, i) => {
    out.push(w);
    if (NEGATIONS.has(w) && i + 1 < ws.length) out.push(`${w}_${ws[i + 1]}`);
  });
  return out;
}

export interface TextTokenizerConfig {
  vocabulary: string[];
  maxLength: number;
}

export class ReportTokenizer {
  private readonly ids: Map<string, number>;
  constructor(readonly config: TextTokenizerConfig) {
    if (config.vocabulary[0] !== TEXT_PAD || config.vocabulary[1] !== TEXT_UNK) throw new Error(`ReportTokenizer: vocabulary must start with ${TEXT_PAD}, ${TEXT_UNK}`);
    this.ids = new Map(config.vocabulary.map((w, i) => [w, i]));
  }

  /** A vocabulary of words seen at least `minCount` times, most frequent first (ties alphabetical). */
  static fromTexts(texts: Iterable<string>, opts: { maxSize?: number; minCount?: number; maxLength?: number } = {}): ReportTokenizer {
    const counts = new Map<string, number>();
    for (const t of texts) for (const w of reportTokens(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const ranked = [...counts]
      .filter(([, n]) => n >= (opts.minCount ?? 1))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, (opts.maxSize ?? 4000) - 2)
      .map(([w]) => w);
    return new ReportTokenizer({ vocabulary: [TEXT_PAD, TEXT_UNK, ...ranked], maxLength: opts.maxLength ?? 64 });
  }

  get size(): number {
    return this.config.vocabulary.length;
  }

  /** Ids padded/truncated to maxLength and a 0/1 mask of real tokens (the empty text gets one <unk>). */
  encode(text: string): { ids: number[]; mask: number[] } {
    const unk = 1;
    let ids = reportTokens(text).map((w) => this.ids.get(w) ?? unk);
    if (ids.length === 0) ids = [unk];
    ids = ids.slice(0, this.config.maxLength);
    const mask = ids.map(() => 1);
    while (ids.length < this.config.maxLength) {
      ids.push(0);
      mask.push(0);
    }
    return { ids, mask };
  }
}
