// Seeded randomness for phantoms. The PRNG (mulberry32), seed derivation and normal
// draws are data/random.ts's, so phantoms, splits and augmentation share one
// algorithm; this adds the few draws a renderer needs (integers, picks, ranges).
import { type Random, deriveSeed, normal, seededRandom, uniform } from '../random.js';

export { type Random, deriveSeed, normal, seededRandom, uniform };

/** A closed interval [low, high] as plain data (e.g. a criterion's accepted range). */
export type Range = readonly [number, number];

/** Integer in [low, high] (both ends included). */
export function randomInt(random: Random, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/** Uniform draw from a range. */
export function inRange(random: Random, range: Range): number {
  return range[0] + (range[1] - range[0]) * random();
}

/** One element, uniformly. */
export function pick<T>(random: Random, items: ReadonlyArray<T>): T {
  if (items.length === 0) throw new RangeError('pick: no items to choose from');
  return items[Math.floor(random() * items.length)]!;
}

/** True with probability p. */
export function chance(random: Random, p: number): boolean {
  return random() < p;
}

/** A random generator for item `index` of a seeded set: independent of how many items come before. */
export function itemRandom(seed: number, ...labels: Array<string | number>): Random {
  return seededRandom(deriveSeed(seed, ...labels));
}
