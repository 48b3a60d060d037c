// What the plausibility reward model learns from: expert ratings of synthetic images
// (binary answers aggregated per image into a soft or majority label and per-criterion
// failure rates; pairwise answers aggregated per pair into P(a preferred)), and real
// images with their true condition. Gold items are quality control for raters, not
// training data, so they are left out.
import type { Raster } from '../../data/raster.js';
import type { AnswerRecord, ImageRecord } from '../../feedback/index.js';

export interface RatedImage {
  /** Stable id (e.g. the feedback store's image id). */
  id: string;
  image: Raster;
  condition: string;
  /** Target P(plausible): the share of raters who said plausible (soft) or the majority (0, ½ on a tie, 1). */
  label: number;
  /** Share of this image's raters who ticked each criterion id. */
  criteria: Record<string, number>;
  raters: number;
  /** Made by the trainer, not rated (e.g. a colour-shifted real image): trained on, left out of held-out scores. */
  synthetic?: boolean;
}

export interface RatedPair {
  id: string;
  a: Raster;
  b: Raster;
  condition: string;
  /** P(a preferred over b) from the answers: wins of a plus half the ties, over the answers. */
  preferA: number;
  raters: number;
}

/** A real image with its true condition: plausible as itself, implausible under any other condition. */
export interface RealImage {
  image: Raster;
  condition: string;
}

export interface PlausibilityData {
  rated: RatedImage[];
  pairs: RatedPair[];
  real: RealImage[];
}

export type LabelMode = 'soft' | 'majority';

export interface RatingsSummary {
  answers: number;
  goldAnswersExcluded: number;
  ratedImages: number;
  pairs: number;
  raters: number;
  plausibleShare: number;
  byCondition: Record<string, number>;
  labelMode: LabelMode;
}

/**
 * Aggregates a study's answers into training targets. `imageOf` turns a stored image
 * record into a raster (decode the store's PNG bytes). Retracted answers must already be
 * filtered out (the store does so by default).
 */
export function ratingsFromAnswers(
  answers: ReadonlyArray<AnswerRecord>,
  imageOf: (record: ImageRecord) => Raster,
  opts: { labels?: LabelMode } = {},
): { rated: RatedImage[]; pairs: RatedPair[]; summary: RatingsSummary } {
  const labelMode = opts.labels ?? 'soft';
  const used = answers.filter((a) => !a.isGold);
  const binary = new Map<number, { record: ImageRecord; condition: string; yes: number; n: number; failed: Map<string, number> }>();
  const pairwise = new Map<string, { a: ImageRecord; b: ImageRecord; condition: string; winsA: number; n: number }>();
  for (const ans of used) {
    if (ans.mode === 'binary') {
      const rec = ans.images[0]!;
      const g = binary.get(rec.id) ?? { record: rec, condition: ans.condition, yes: 0, n: 0, failed: new Map<string, number>() };
      g.n++;
      if (ans.choice === 'plausible') g.yes++;
      for (const c of ans.failedCriteria) g.failed.set(c, (g.failed.get(c) ?? 0) + 1);
      binary.set(rec.id, g);
    } else {
      const [a, b] = ans.images as [ImageRecord, ImageRecord];
      const key = `${a.id}:${b.id}`;
      const g = pairwise.get(key) ?? { a, b, condition: ans.condition, winsA: 0, n: 0 };
      g.n++;
      g.winsA += ans.winner === 'a' ? 1 : ans.winner === 'tie' ? 0.5 : 0;
      pairwise.set(key, g);
    }
  }
  const rated: RatedImage[] = [...binary.values()].map((g) => {
    const share = g.yes / g.n;
    const criteria: Record<string, number> = {};
    for (const [c, k] of g.failed) criteria[c] = k / g.n;
    return {
      id: String(g.record.id),
      image: imageOf(g.record),
      condition: g.condition,
      label: labelMode === 'soft' ? share : share > 0.5 ? 1 : share < 0.5 ? 0 : 0.5,
      criteria,
      raters: g.n,
    };
  });
  const pairs: RatedPair[] = [...pairwise.entries()].map(([key, g]) => ({
    id: key,
    a: imageOf(g.a),
    b: imageOf(g.b),
    condition: g.condition,
    preferA: labelMode === 'soft' ? g.winsA / g.n : g.winsA / g.n > 0.5 ? 1 : g.winsA / g.n < 0.5 ? 0 : 0.5,
    raters: g.n,
  }));
  const byCondition: Record<string, number> = {};
  for (const r of rated) byCondition[r.condition] = (byCondition[r.condition] ?? 0) + 1;
  for (const p of pairs) byCondition[p.condition] = (byCondition[p.condition] ?? 0) + 1;
  return {
    rated,
    pairs,
    summary: {
      answers: used.length,
      goldAnswersExcluded: answers.length - used.length,
      ratedImages: rated.length,
      pairs: pairs.length,
      raters: new Set(used.map((a) => a.raterId)).size,
      plausibleShare: rated.length ? rated.reduce((s, r) => s + r.label, 0) / rated.length : NaN,
      byCondition,
      labelMode,
    },
  };
}
