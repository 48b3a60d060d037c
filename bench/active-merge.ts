// `bench/reward-active.ts --merge`: one summary from the result.json files of earlier runs,
// so one measurement can be split over processes (one core each, different --seed-start)
// or an arm added later without re-running the others.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Curve = Array<{ ratings: number; auroc: number }>;
export type Breakdown = { seed: number; loss: Record<string, number>; rated: Record<string, number> };

/** The part of a run's result.json that merging reads. */
export interface ActiveResult {
  points: number[];
  seedList: number[];
  curve: Record<string, Array<{ perSeed: number[] }>>;
  breakdowns?: Record<string, Breakdown[]>;
}

export function readActiveResult(dir: string): ActiveResult {
  return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ActiveResult;
}

/**
 * Each arm's curve for each seed, from whichever run has that arm (e.g. random from one run,
 * a new arm from another; the first run to have a seed's arm wins). Refuses runs measured at
 * other points, and an arm missing for a seed another arm has: every arm on the same seeds.
 */
export function mergeActiveResults(runs: Array<{ name: string; result: ActiveResult }>, arms: readonly string[], points: readonly number[]) {
  const seedList: number[] = [];
  const bySeed = new Map<string, Map<number, Curve>>(arms.map((arm) => [arm, new Map()]));
  const breakdowns: Record<string, Breakdown[]> = Object.fromEntries(arms.map((arm) => [arm, []]));
  for (const { name, result: r } of runs) {
    if (JSON.stringify(r.points) !== JSON.stringify(points)) throw new RangeError(`--merge: ${name} has points ${r.points.join(',')}, this run ${points.join(',')}`);
    for (const arm of arms) for (const b of r.breakdowns?.[arm] ?? []) if (!breakdowns[arm]!.some((x) => x.seed === b.seed)) breakdowns[arm]!.push(b);
    for (const arm of arms.filter((x) => r.curve[x]))
      r.seedList.forEach((seed, k) => {
        if (!seedList.includes(seed)) seedList.push(seed);
        if (!bySeed.get(arm)!.has(seed)) bySeed.get(arm)!.set(seed, points.map((ratings, i) => ({ ratings, auroc: r.curve[arm]![i]!.perSeed[k]! })));
      });
  }
  const curves: Record<string, Curve[]> = {};
  for (const arm of arms) {
    const missing = seedList.filter((seed) => !bySeed.get(arm)!.has(seed));
    if (missing.length) throw new RangeError(`--merge: no folder has arm '${arm}' for seed(s) ${missing.join(', ')}`);
    curves[arm] = seedList.map((seed) => bySeed.get(arm)!.get(seed)!);
  }
  return { seedList, curves, breakdowns };
}
