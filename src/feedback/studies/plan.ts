// Who rates what, in which order, on which side. Each item goes to the least-loaded
// raters until it has k of them; each rater's queue gets gold items mixed in at the
// study's rate, is shuffled with the rater's own seed, and (pairwise) each assignment
// flips sides by a coin. Everything follows from the study seed.
import { deriveSeed, seededRandom, shuffled } from '../random.js';

export interface PlanInput {
  /** Regular items and how many more raters each needs. */
  items: ReadonlyArray<{ id: number; need: number }>;
  goldItemIds: ReadonlyArray<number>;
  raterIds: ReadonlyArray<number>;
  /** Fraction of each rater's queue that is gold, in [0, 1). */
  goldRate: number;
  seed: number;
  pairwise: boolean;
}

export interface PlannedAssignment {
  raterId: number;
  itemId: number;
  position: number;
  swapped: boolean;
}

/** Gold items for a queue of `regular` items so that gold / (regular + gold) ≈ rate (at least one when the rate is > 0). */
export function goldCount(regular: number, rate: number, pool: number): number {
  if (rate <= 0 || pool === 0 || regular === 0) return 0;
  return Math.min(pool, Math.max(1, Math.round((regular * rate) / (1 - rate))));
}

export function planAssignments(input: PlanInput): PlannedAssignment[] {
  const raters = [...input.raterIds];
  if (raters.length === 0) return [];
  const tieBreak = seededRandom(deriveSeed(input.seed, 'assign', raters.join(',')));
  const load = new Map<number, number>(raters.map((r) => [r, 0]));
  const queues = new Map(raters.map((r) => [r, [] as number[]] as const));
  for (const item of shuffled(input.items, tieBreak)) {
    const n = Math.min(item.need, raters.length);
    if (n <= 0) continue;
    const ranked = raters.map((r) => ({ r, load: load.get(r)!, tie: tieBreak() })).sort((a, b) => a.load - b.load || a.tie - b.tie);
    for (const { r } of ranked.slice(0, n)) {
      queues.get(r)!.push(item.id);
      load.set(r, load.get(r)! + 1);
    }
  }
  const out: PlannedAssignment[] = [];
  for (const r of raters) {
    const random = seededRandom(deriveSeed(input.seed, 'rater', r));
    const regular = queues.get(r)!;
    const gold = shuffled(input.goldItemIds, random).slice(0, goldCount(regular.length, input.goldRate, input.goldItemIds.length));
    shuffled([...regular, ...gold], random).forEach((itemId, position) => {
      out.push({ raterId: r, itemId, position, swapped: input.pairwise ? random() < 0.5 : false });
    });
  }
  return out;
}
