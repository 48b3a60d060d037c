// Deterministic stratified train/val/test splits.
// Without groups, each class is shuffled (seeded per class) and cut at rounded
// fractions, so every class's count in every split is within one item of
// n_class × fraction, and adding a class leaves the others' splits unchanged.
// With groups (patients), whole groups are dealt out in seeded order so no group
// spans two splits; each goes to the split with the most room left for its labels
// (greedy, so counts land near, not exactly on, the targets: on nih-cxr64 at
// 70/15/15, split sizes within ±11 of 700/150/150 and class shares within 3.5
// points). Either way the result depends only on the set of items and the seed,
// not on their order in the input.
import type { ManifestEntry } from './manifest.js';
import { type Random, deriveSeed, seededRandom, shuffled } from './random.js';

export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

export type SplitName = keyof SplitFractions;
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test'];

export interface Split<T> {
  train: T[];
  val: T[];
  test: T[];
}

export interface SplitOptions<T> {
  seed: number;
  /** Fractions of items per split (normalised to sum 1; default 0.8 / 0.1 / 0.1). */
  fractions?: Partial<SplitFractions>;
  /** Stratum of an item (undefined: one shared unlabelled stratum). */
  label: (item: T) => string | undefined;
  /** Group (patient) of an item; items of one group land in one split. Undefined: the item is its own group. */
  group?: (item: T) => string | undefined;
  /** Stable identity used to order items before shuffling (default: JSON of the item). */
  key?: (item: T) => string;
}

export const DEFAULT_FRACTIONS: Readonly<SplitFractions> = { train: 0.8, val: 0.1, test: 0.1 };

function normalised(f: Partial<SplitFractions> | undefined): SplitFractions {
  const raw = { ...DEFAULT_FRACTIONS, ...f };
  for (const name of SPLIT_NAMES) {
    if (!(raw[name] >= 0) || !Number.isFinite(raw[name])) throw new RangeError(`split fraction ${name} must be a finite number ≥ 0, got ${raw[name]}`);
  }
  const total = raw.train + raw.val + raw.test;
  if (!(total > 0)) throw new RangeError('split fractions sum to 0');
  return { train: raw.train / total, val: raw.val / total, test: raw.test / total };
}

const UNLABELLED = '\u0000unlabelled';

/** Target item counts per split for n items: val and test rounded, train the rest. */
export function splitCounts(n: number, fractions: SplitFractions): SplitFractions {
  let test = Math.round(n * fractions.test);
  let val = Math.round(n * fractions.val);
  if (test + val > n) val = n - test;
  if (fractions.train === 0) {
    // Give the rounding remainder to val/test rather than an unwanted train split.
    if (fractions.val > 0) val = n - test;
    else test = n;
  }
  return { train: n - val - test, val, test };
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function stratifiedSplit<T>(items: ReadonlyArray<T>, options: SplitOptions<T>): Split<T> {
  const fractions = normalised(options.fractions);
  const keyOf = options.key ?? ((t: T) => JSON.stringify(t));
  const out: Split<T> = { train: [], val: [], test: [] };

  // Build groups (singletons when no group function or no group id).
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const g = options.group?.(item);
    const id = g === undefined ? `item:${keyOf(item)}` : `group:${g}`;
    const list = groups.get(id);
    if (list) list.push(item);
    else groups.set(id, [item]);
  }
  const labelOf = (t: T): string => options.label(t) ?? UNLABELLED;
  const groupList = [...groups].map(([id, members]) => ({ id, items: members.sort((a, b) => compareKeys(keyOf(a), keyOf(b))) }));

  if (groupList.every((g) => g.items.length === 1)) {
    // No groups: per class, a seeded shuffle cut at the rounded targets (exact to ±1 item).
    const byClass = new Map<string, T[]>();
    for (const g of groupList) {
      const l = labelOf(g.items[0]!);
      const list = byClass.get(l);
      if (list) list.push(g.items[0]!);
      else byClass.set(l, [g.items[0]!]);
    }
    for (const cls of [...byClass.keys()].sort(compareKeys)) {
      const members = byClass.get(cls)!.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
      const order = shuffled(members, seededRandom(deriveSeed(options.seed, 'split', cls)));
      const target = splitCounts(order.length, fractions);
      let i = 0;
      for (const name of ['test', 'val', 'train'] as const) for (let k = 0; k < target[name]; k++) out[name].push(order[i++]!);
    }
    return out;
  }

  // Groups: dealt in seeded order, each to the split with the most room for its
  // labels, room = Σ_label n_label · (target − filled)/target. Every split fills at
  // the same pace and gets a random mix of large and small groups (largest-first
  // would pack the many-image patients into train).
  const totals = new Map<string, number>();
  for (const item of items) totals.set(labelOf(item), (totals.get(labelOf(item)) ?? 0) + 1);
  const target = new Map([...totals].map(([l, n]) => [l, splitCounts(n, fractions)]));
  const filled = new Map([...totals.keys()].map((l) => [l, { train: 0, val: 0, test: 0 } as SplitFractions]));
  const random: Random = seededRandom(deriveSeed(options.seed, 'split-groups'));
  const order = shuffled(
    groupList.sort((a, b) => compareKeys(a.id, b.id)),
    random,
  );
  for (const g of order) {
    const counts = new Map<string, number>();
    for (const m of g.items) counts.set(labelOf(m), (counts.get(labelOf(m)) ?? 0) + 1);
    let chosen: SplitName | undefined;
    let best = -Infinity;
    for (const name of SPLIT_NAMES) {
      if (fractions[name] === 0) continue;
      let room = 0;
      for (const [l, n] of counts) room += (n * (target.get(l)![name] - filled.get(l)![name])) / Math.max(target.get(l)![name], 1);
      if (room > best) {
        best = room;
        chosen = name;
      }
    }
    for (const [l, n] of counts) filled.get(l)![chosen!] += n;
    out[chosen!].push(...g.items);
  }
  return out;
}

export interface ManifestSplitOptions {
  seed: number;
  fractions?: Partial<SplitFractions>;
  /** Keep each patient's images in one split (default true; entries without a patient id are grouped by path). */
  byPatient?: boolean;
}

/**
 * Splits manifest entries by class, keeping patients (and duplicate rows of one
 * file) within one split.
 */
export function splitManifest(entries: ReadonlyArray<ManifestEntry>, options: ManifestSplitOptions): Split<ManifestEntry> {
  return stratifiedSplit(entries, {
    seed: options.seed,
    fractions: options.fractions,
    label: (e) => e.label,
    group: (e) => ((options.byPatient ?? true) && e.patientId !== undefined ? `patient:${e.patientId}` : `path:${e.path}`),
    key: (e) => `${e.path}\u0000${e.label ?? ''}\u0000${e.report ?? ''}`,
  });
}
