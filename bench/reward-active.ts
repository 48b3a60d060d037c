// Active vs random choice of what experts rate next, on the real phantom testbed
// (bench/phantom-pool.ts: valid, broken and off-class cells at 32 px): a simulated rater
// (exact oracle + 10% error) labels what each arm chooses; the reward model's AUROC is
// scored against the exact oracle on a held-out pool. Every arm starts from the same
// random warm-start batch and sees the same real true-/wrong-class pairs. Prints the
// curves (mean ± sd over seeds) and, per arm, the ratings needed to reach the target and
// random's final AUROC as a final JSON line; writes curve.svg, curve.md and result.json.
//   MEDLOOP_THREADS=1 node --import tsx bench/reward-active.ts [--arms random,entropy] [--seeds 3] [--members 1]
//     [--points 50,100,200,300,500] [--round 100] [--pool 1500] [--test 600] [--steps 250] [--out /tmp/reward-active]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CELL_CRITERIA, simulatedRater } from '../src/data/phantoms/index.js';
import { makeOracleJudge } from '../src/data/phantoms/index.js';
import { deriveSeed, seededRandom, shuffled } from '../src/data/random.js';
import { setNumThreads } from '../src/engine/index.js';
import { lineChartSvg } from '../src/eval/report/svg-charts.js';
import { type Acquisition, chooseForRating } from '../src/reward/active.js';
import { auroc } from '../src/reward/metrics.js';
import type { RatedImage, RealImage } from '../src/reward/plausibility/dataset.js';
import { predictPlausibility, rastersToUnitTensor, trainPlausibilityEnsemble, trainPlausibilityModel } from '../src/reward/plausibility/train.js';
import type { PlausibilityRewardNet } from '../src/models/reward-net.js';
import { type PoolItem, phantomPool, realPhantoms } from './phantom-pool.js';

const { values: a } = parseArgs({
  options: {
    size: { type: 'string', default: '32' },
    pool: { type: 'string', default: '1500' },
    test: { type: 'string', default: '600' },
    real: { type: 'string', default: '200' },
    points: { type: 'string', default: '50,100,200,300,500' },
    round: { type: 'string', default: '100' },
    seeds: { type: 'string', default: '3' },
    members: { type: 'string', default: '1' },
    steps: { type: 'string', default: '250' },
    arms: { type: 'string', default: 'random,entropy' },
    target: { type: 'string', default: '0.9' },
    widths: { type: 'string', default: '8,16,32' },
    'error-rate': { type: 'string', default: '0.1' },
    // Default: MEDLOOP_THREADS (already applied by the engine on load), else every core.
    threads: { type: 'string' },
    out: { type: 'string', default: '/tmp/reward-active' },
  },
});
if (a.threads) setNumThreads(Number(a.threads));
const size = Number(a.size);
const points = a.points!.split(',').map(Number).sort((x, y) => x - y);
const roundSize = Number(a.round);
const members = Number(a.members);
const trainSteps = Number(a.steps);
const target = Number(a.target);
const widths = a.widths!.split(',').map(Number);
const arms = a.arms!.split(',') as Acquisition[];
const errorRate = Number(a['error-rate']);
const out = a.out!;
const cacheDir = join(out, 'cache');
for (const arm of arms) if (!['random', 'entropy', 'bald', 'disagreement'].includes(arm)) throw new RangeError(`--arms: unknown acquisition '${arm}'`);
if (members < 2 && arms.some((x) => x === 'bald' || x === 'disagreement')) throw new RangeError('--arms bald/disagreement need --members ≥ 2 (an ensemble)');
mkdirSync(out, { recursive: true });

function train(rated: RatedImage[], real: RealImage[], seed: number): PlausibilityRewardNet[] {
  // Every criterion listed, so the criterion head is the same whatever the raters ticked so far.
  const opts = { criteria: [...CELL_CRITERIA], imageSize: size, net: { widths }, minSteps: trainSteps, maxSteps: trainSteps, valFraction: 0, augment: 'dihedral' as const, seed };
  return members > 1 ? trainPlausibilityEnsemble({ rated, pairs: [], real }, members, opts).map((m) => m.net) : [trainPlausibilityModel({ rated, pairs: [], real }, opts).net];
}

function oracleAuroc(nets: PlausibilityRewardNet[], test: PoolItem[]): number {
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

type Curve = Array<{ ratings: number; auroc: number }>;
const curves: Record<string, Curve[]> = Object.fromEntries(arms.map((arm) => [arm, []]));
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
// One held-out set for every seed (its own seed), so seeds differ in pool, ratings and training only.
const test = phantomPool(Number(a.test), { size, seed: 4242, cacheDir });
const testShare = test.filter((t) => t.plausible).length / test.length;
console.error(`test: ${test.length} items, ${(100 * testShare).toFixed(0)}% plausible by the oracle (${elapsed()})`);
for (let s = 0; s < Number(a.seeds); s++) {
  const seed = 1000 + s;
  const pool = phantomPool(Number(a.pool), { size, seed, cacheDir });
  const byId = new Map(pool.map((p) => [p.id, p]));
  const real = realPhantoms(Number(a.real), { size, seed });
  const rater = simulatedRater({ judge: makeOracleJudge('cells'), errorRate, seed: deriveSeed(seed, 'rater'), criteria: CELL_CRITERIA });
  const toRated = (it: PoolItem): RatedImage => {
    const v = rater(it.image, it.condition);
    return { id: it.id, image: it.image, condition: it.condition, label: v.plausible ? 1 : 0, criteria: Object.fromEntries(v.failedCriteria.map((c) => [c, 1])), raters: 1 };
  };
  // The shared warm start: the first curve point's ratings chosen at random.
  const first = shuffled(pool, seededRandom(deriveSeed(seed, 'first'))).slice(0, points[0]);
  const firstRated = first.map(toRated);
  const firstNets = train(firstRated, real, deriveSeed(seed, 'train', firstRated.length));
  const firstScore = oracleAuroc(firstNets, test);
  console.error(`seed ${seed} warm start ${firstRated.length} ratings: auroc ${firstScore.toFixed(4)} (${elapsed()})`);
  for (const arm of arms) {
    const chosen = new Set(first.map((p) => p.id));
    const rated = [...firstRated];
    const curve: Curve = [{ ratings: rated.length, auroc: firstScore }];
    let nets: PlausibilityRewardNet[] | null = firstNets;
    for (;;) {
      const next = points.find((p) => p > rated.length);
      if (next === undefined) break;
      const n = arm === 'random' ? next - rated.length : Math.min(roundSize, next - rated.length);
      const left = pool.filter((p) => !chosen.has(p.id));
      const picks = arm === 'random' ? shuffled(left, seededRandom(deriveSeed(seed, 'random', rated.length))).slice(0, n) : chooseForRating(left, nets!, n, { acquisition: arm, seed: deriveSeed(seed, 'pick', rated.length) });
      if (nets !== firstNets) for (const m of nets ?? []) m.dispose();
      nets = null;
      for (const p of picks) {
        chosen.add(p.id);
        rated.push(toRated(byId.get(p.id)!));
      }
      // Random choice needs a model only at curve points (its rounds end there); active choice retrains every round.
      nets = train(rated, real, deriveSeed(seed, 'train', arm, rated.length));
      if (rated.length === next) {
        const score = oracleAuroc(nets, test);
        curve.push({ ratings: rated.length, auroc: score });
        console.error(`seed ${seed} ${arm} ${rated.length} ratings: auroc ${score.toFixed(4)} (${elapsed()})`);
      }
    }
    if (nets && nets !== firstNets) for (const m of nets) m.dispose();
    curves[arm]!.push(curve);
  }
  for (const m of firstNets) m.dispose();
}

const stats = (arm: string) =>
  points.map((ratings, i) => {
    const v = curves[arm]!.map((c) => c[i]!.auroc);
    const mean = v.reduce((x, y) => x + y, 0) / v.length;
    const sd = v.length > 1 ? Math.sqrt(v.reduce((x, y) => x + (y - mean) ** 2, 0) / (v.length - 1)) : 0;
    return { ratings, mean, sd, perSeed: v };
  });
const summary = Object.fromEntries(arms.map((arm) => [arm, stats(arm)]));
/** Ratings at which the mean curve first reaches `level`, interpolating linearly between points (null: never). */
function reach(c: Array<{ ratings: number; mean: number }>, level: number): number | null {
  if (c[0]!.mean >= level) return c[0]!.ratings;
  for (let i = 1; i < c.length; i++) {
    const [p, q] = [c[i - 1]!, c[i]!];
    if (q.mean >= level) return Math.round(p.ratings + ((level - p.mean) / (q.mean - p.mean)) * (q.ratings - p.ratings));
  }
  return null;
}
const random = summary.random;
const randomFinal = random ? random[random.length - 1]!.mean : null;
const saving = (x: number | null, base: number | null) => (x !== null && base !== null ? 1 - x / base : null);
const comparison = Object.fromEntries(
  arms.map((arm) => {
    const toTarget = reach(summary[arm]!, target);
    const toRandomFinal = randomFinal === null ? null : reach(summary[arm]!, randomFinal);
    return [
      arm,
      {
        final: summary[arm]![points.length - 1]!.mean,
        ratingsToTarget: toTarget,
        savingAtTarget: random ? saving(toTarget, reach(random, target)) : null,
        ratingsToRandomFinal: toRandomFinal,
        savingAtRandomFinal: random ? saving(toRandomFinal, reach(random, randomFinal!)) : null,
      },
    ];
  }),
);

// Outputs: a standalone SVG (the report's line chart with its stylesheet inlined), a table, the JSON.
const chart = lineChartSvg({
  title: 'Reward-model AUROC against the oracle vs ratings',
  xLabel: 'ratings',
  yLabel: `AUROC (mean of ${a.seeds} seeds)`,
  series: arms.flatMap((arm) => [{ name: arm, points: summary[arm]!.map((p) => [p.ratings, p.mean] as const) }]),
});
const style =
  'svg{font-family:sans-serif;background:#fff}.grid{stroke:#edf0f5;stroke-width:1}.axis{stroke:#9aa3b5;stroke-width:1}.tk{fill:#6b7488;font-size:10.5px}.al{fill:#4a5468;font-size:11px}.lg{fill:#39425a;font-size:11px}';
writeFileSync(join(out, 'curve.svg'), chart.replace('<svg ', `<svg xmlns="http://www.w3.org/2000/svg" `).replace(/(<svg[^>]*>)/, `$1<style>${style}</style>`));
const table = [
  `| ratings | ${arms.map((x) => `${x} (mean ± sd)`).join(' | ')} |`,
  `|---:|${arms.map(() => '---:').join('|')}|`,
  ...points.map((p, i) => `| ${p} | ${arms.map((x) => `${summary[x]![i]!.mean.toFixed(3)} ± ${summary[x]![i]!.sd.toFixed(3)}`).join(' | ')} |`),
].join('\n');
writeFileSync(join(out, 'curve.md'), `${table}\n`);
console.error(table);
const result = {
  bench: 'reward-active',
  testbed: 'phantoms',
  size,
  pool: Number(a.pool),
  test: test.length,
  testPlausibleShare: testShare,
  real: Number(a.real),
  members,
  trainSteps,
  round: roundSize,
  seeds: Number(a.seeds),
  raterErrorRate: errorRate,
  curve: summary,
  target,
  randomFinalAuroc: randomFinal,
  comparison,
  seconds: (performance.now() - t0) / 1000,
  out,
};
writeFileSync(join(out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result));
