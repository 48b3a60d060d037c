// Per-condition reward normalisation (ddpo-pytorch's PerPromptStatTracker): each
// condition keeps a running buffer of its last rewards; a reward's advantage is
// (r − mean) / (std + 1e-6) over that buffer (current batch included) once the
// condition has `minCount` rewards, and over the whole current batch before that.
// Advantages are clipped to ±clip (5 in DDPO) so one outlier cannot dominate a step.
//
// The early fallback matters when conditions differ in how often they succeed: with
// whole-batch statistics, every sample of an easy condition gets a positive advantage
// and every sample of a hard one a negative advantage, whatever their quality, so the
// first iterations push on the condition's identity instead of on what made a sample
// better. 'condition-batch' (GRPO's group normalisation) uses the condition's own
// samples in the batch while it has at least two of them.
export interface AdvantageOptions {
  /** Rewards kept per condition (ddpo-pytorch: 32). */
  bufferSize: number;
  /** History a condition needs before its own statistics replace the batch's (16). */
  minCount: number;
  /** |A| ≤ clip (5). */
  clip: number;
  /** Statistics before minCount: the whole batch's (ddpo-pytorch) or the condition's own samples in the batch. */
  fallback: 'batch' | 'condition-batch';
}

export const DEFAULT_ADVANTAGE_OPTIONS: AdvantageOptions = { bufferSize: 32, minCount: 16, clip: 5, fallback: 'batch' };

/** Population mean and std (numpy's np.std), as ddpo-pytorch uses them. */
function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(variance) };
}

export class PerConditionAdvantages {
  readonly options: AdvantageOptions;
  private readonly buffers = new Map<string, number[]>();

  constructor(options: Partial<AdvantageOptions> = {}) {
    this.options = { ...DEFAULT_ADVANTAGE_OPTIONS, ...options };
  }

  /** Adds the batch's rewards to the buffers and returns their clipped advantages. */
  update(conditions: readonly string[], rewards: readonly number[]): number[] {
    if (conditions.length !== rewards.length) throw new RangeError(`PerConditionAdvantages: ${conditions.length} conditions but ${rewards.length} rewards`);
    const { bufferSize, minCount, clip } = this.options;
    const batch = meanStd(rewards);
    const advantages = new Array<number>(rewards.length).fill(0);
    for (const c of new Set(conditions)) {
      const idx = conditions.flatMap((x, i) => (x === c ? [i] : []));
      const buffer = this.buffers.get(c) ?? [];
      buffer.push(...idx.map((i) => rewards[i]!));
      buffer.splice(0, Math.max(0, buffer.length - bufferSize));
      this.buffers.set(c, buffer);
      const own = idx.map((i) => rewards[i]!);
      const early = this.options.fallback === 'condition-batch' && own.length >= 2 ? meanStd(own) : batch;
      const { mean, std } = buffer.length < minCount ? early : meanStd(buffer);
      for (const i of idx) advantages[i] = Math.min(clip, Math.max(-clip, (rewards[i]! - mean) / (std + 1e-6)));
    }
    return advantages;
  }

  /** Buffer length and statistics per condition (for logs). */
  stats(): Record<string, { count: number; mean: number; std: number }> {
    return Object.fromEntries([...this.buffers].map(([c, b]) => [c, { count: b.length, ...meanStd(b) }]));
  }

  /** Plain data for a checkpoint's state.json (exact: JSON keeps doubles). */
  toJSON(): { options: AdvantageOptions; buffers: Record<string, number[]> } {
    return { options: { ...this.options }, buffers: Object.fromEntries([...this.buffers].map(([c, b]) => [c, [...b]])) };
  }

  static fromJSON(data: { options: AdvantageOptions; buffers: Record<string, number[]> }): PerConditionAdvantages {
    const a = new PerConditionAdvantages(data.options);
    for (const [c, b] of Object.entries(data.buffers)) a.buffers.set(c, [...b]);
    return a;
  }
}
