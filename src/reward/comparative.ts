// Comparative feedback (RLCF, Han et al. 2024): any reward scored relative to an anchor,
// s(x, c) − s(x̂, c), where x̂ is the frozen anchor model's sample for the same condition
// (best: the same initial noise). The difference cancels what the condition alone makes
// easy or hard, so advantages reflect what the finetuned model does better than the anchor.
import { batchSize, type RewardImages } from './images.js';
import type { RewardFn } from './registry.js';

export class ComparativeRewardError extends Error {
  override name = 'ComparativeRewardError';
}

/** s(x_i, c_i) − s(x̂_i, c_i) for each i. */
export async function comparativeScores(reward: RewardFn, images: RewardImages, anchors: RewardImages, conditions: string[]): Promise<number[]> {
  if (batchSize(images) !== batchSize(anchors)) throw new ComparativeRewardError(`${batchSize(images)} images but ${batchSize(anchors)} anchor images`);
  const [s, a] = [await reward(images, conditions), await reward(anchors, conditions)];
  return s.map((v, i) => v - a[i]!);
}

/**
 * A reward scored against anchors supplied per batch: `anchorFor(conditions, images)` returns
 * the anchor images for the same conditions (e.g. the frozen generator's samples from the
 * same noise). The result is an ordinary RewardFn, so it registers, weights and combines
 * like any other.
 */
export function comparativeReward(reward: RewardFn, anchorFor: (conditions: string[], images: RewardImages) => RewardImages | Promise<RewardImages>): RewardFn {
  return async (images, conditions) => comparativeScores(reward, images, await anchorFor(conditions, images), conditions);
}

/**
 * Anchor scores computed once and reused: DDPO re-scores the same anchor samples every
 * epoch, and the anchor is frozen, so s(x̂, c) never changes for a given key (e.g.
 * `${condition}#${noiseSeed}`).
 */
export class AnchorScoreCache {
  private readonly scores = new Map<string, number>();
  constructor(private readonly reward: RewardFn) {}

  /** Scores of anchors by key; only keys not seen before are scored. */
  async get(keys: string[], anchors: () => RewardImages | Promise<RewardImages>, conditions: string[]): Promise<number[]> {
    if (keys.some((k) => !this.scores.has(k))) {
      const v = await this.reward(await anchors(), conditions);
      keys.forEach((k, i) => this.scores.set(k, v[i]!));
    }
    return keys.map((k) => this.scores.get(k)!);
  }

  /** s(x, c) − cached s(x̂, c). */
  async relative(images: RewardImages, conditions: string[], keys: string[], anchors: () => RewardImages | Promise<RewardImages>): Promise<number[]> {
    const s = await this.reward(images, conditions);
    const a = await this.get(keys, anchors, conditions);
    return s.map((v, i) => v - a[i]!);
  }

  get size(): number {
    return this.scores.size;
  }
}
