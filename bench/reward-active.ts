// Active vs random choice of what experts rate next, on the phantom testbed with a
// simulated rater (10% error): the reward model's AUROC against the oracle on held-out
// renders, as ratings grow. Prints the curve and, per arm, the ratings needed to reach
// the target AUROC, as a final JSON line.
//   node --import tsx bench/reward-active.ts [--size 16] [--start 100] [--step 50] [--max 500] [--seeds 1] [--members 1] [--steps 300]
import { parseArgs } from 'node:util';
import { deriveSeed, seededRandom, shuffled } from '../src/data/random.js';
import { setNumThreads } from '../src/engine/index.js';
import { type Acquisition, chooseForRating } from '../src/reward/active.js';
import { auroc } from '../src/reward/metrics.js';
import type { RatedImage } from '../src/reward/plausibility/dataset.js';
import { predictPlausibility, rastersToUnitTensor, trainPlausibilityEnsemble, trainPlausibilityModel } from '../src/reward/plausibility/train.js';
import { CELL_CRITERIA, type CellItem, cellPool, rate, realCells } from './reward-testbed.js';

const { values: a } = parseArgs({
  options: {
    size: { type: 'string', default: '16' },
    pool: { type: 'string', default: '2000' },
    test: { type: 'string', default: '600' },
    real: { type: 'string', default: '200' },
    start: { type: 'string', default: '100' },
    step: { type: 'string', default: '50' },
    max: { type: 'string', default: '500' },
    seeds: { type: 'string', default: '1' },
    members: { type: 'string', default: '1' },
    steps: { type: 'string', default: '300' },
    acquisition: { type: 'string' },
    target: { type: 'string', default: '0.9' },
    widths: { type: 'string', default: '8,16,32' },
  },
});
setNumThreads(2);
const size = Number(a.size);
const [start, stepN, max] = [Number(a.start), Number(a.step), Number(a.max)];
const members = Number(a.members);
const trainSteps = Number(a.steps);
const target = Number(a.target);
const rater = { name: 'expert', errorRate: 0.1 };
const widths = a.widths!.split(',').map(Number);

function train(rated: RatedImage[], real: ReturnType<typeof realCells>, seed: number) {
  const opts = { criteria: [...CELL_CRITERIA], imageSize: size, net: { widths }, minSteps: trainSteps, maxSteps: trainSteps, valFraction: 0, augment: 'dihedral' as const, seed };
  return members > 1 ? trainPlausibilityEnsemble({ rated, pairs: [], real }, members, opts).map((m) => m.net) : [trainPlausibilityModel({ rated, pairs: [], real }, opts).net];
}

function oracleAuroc(nets: ReturnType<typeof train>, test: CellItem[]): number {
  const x = rastersToUnitTensor(
    test.map((t) => t.image),
    size,
    3,
  );
  const probs = nets.map((n) =>
    predictPlausibility(
      n,
      x,
      test.map((t) => t.condition),
    ),
  );
  x.dispose();
  const mean = test.map((_, i) => probs.reduce((s, p) => s + p[i]!, 0) / probs.length);
  return auroc(
    mean,
    test.map((t) => t.plausible),
  );
}

const toRated = (it: CellItem, seed: number): RatedImage => {
  const v = rate(it, rater, seed);
  return { id: it.id, image: it.image, condition: it.condition, label: v.plausible ? 1 : 0, criteria: Object.fromEntries(v.failedCriteria.map((c) => [c, 1])), raters: 1 };
};

const curves: Record<string, Array<{ ratings: number; auroc: number }[]>> = { active: [], random: [] };
const t0 = performance.now();
for (let s = 0; s < Number(a.seeds); s++) {
  const seed = 1000 + s;
  const pool = cellPool(Number(a.pool), seed, { size });
  const test = cellPool(Number(a.test), seed + 500, { size });
  const real = realCells(Number(a.real), seed + 900, size);
  const first = shuffled(pool, seededRandom(deriveSeed(seed, 'first'))).slice(0, start);
  for (const arm of ['active', 'random'] as const) {
    const chosen = new Set(first.map((p) => p.id));
    const rated = first.map((p) => toRated(p, seed));
    const curve: { ratings: number; auroc: number }[] = [];
    for (;;) {
      const nets = train(rated, real, deriveSeed(seed, arm, rated.length));
      const score = oracleAuroc(nets, test);
      curve.push({ ratings: rated.length, auroc: score });
      console.error(`seed ${seed} ${arm} ratings ${rated.length} auroc ${score.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      if (rated.length >= max) {
        for (const n of nets) n.dispose();
        break;
      }
      const left = pool.filter((p) => !chosen.has(p.id));
      const acquisition = (a.acquisition as Acquisition | undefined) ?? (arm === 'random' ? 'random' : members > 1 ? 'disagreement' : 'entropy');
      const picks = chooseForRating(left, nets, Math.min(stepN, max - rated.length), { acquisition: arm === 'random' ? 'random' : acquisition, seed: deriveSeed(seed, 'pick', rated.length) });
      for (const n of nets) n.dispose();
      for (const p of picks) {
        chosen.add(p.id);
        rated.push(toRated(pool.find((q) => q.id === p.id)!, seed));
      }
    }
    curves[arm]!.push(curve);
  }
}

const mean = (arm: string) => curves[arm]![0]!.map((pt, i) => ({ ratings: pt.ratings, auroc: curves[arm]!.reduce((s, c) => s + c[i]!.auroc, 0) / curves[arm]!.length }));
const active = mean('active');
const random = mean('random');
const reach = (c: { ratings: number; auroc: number }[], t: number) => c.find((p) => p.auroc >= t)?.ratings ?? null;
// Savings at the target and at the AUROC random choice reaches with the full budget.
const randomFinal = random[random.length - 1]!.auroc;
const atTarget = { active: reach(active, target), random: reach(random, target) };
const atRandomFinal = { active: reach(active, randomFinal), random: reach(random, randomFinal) };
const saving = (r: { active: number | null; random: number | null }) => (r.active !== null && r.random !== null ? 1 - r.active / r.random : null);
console.log(
  JSON.stringify({
    bench: 'reward-active',
    size,
    members,
    trainSteps,
    seeds: Number(a.seeds),
    raterErrorRate: rater.errorRate,
    curve: { active, random },
    target,
    ratingsToTarget: atTarget,
    savingAtTarget: saving(atTarget),
    randomFinalAuroc: randomFinal,
    ratingsToRandomFinal: atRandomFinal,
    savingAtRandomFinal: saving(atRandomFinal),
    seconds: (performance.now() - t0) / 1000,
  }),
);
