// Active vs random choice of what experts rate next, on the real phantom testbed
// (bench/phantom-pool.ts: valid, broken and off-class cells at 32 px): a simulated rater
// (exact oracle + 10% error) labels what each arm chooses; the reward model's AUROC is
// scored against the exact oracle on a held-out pool. Every arm starts from the same
// random warm-start batch, sees the same real true-/wrong-class pairs and trains the same
// way each round (epochs over all its ratings, so the step budget grows with the data; or,
// with --warm-epochs, a shorter run from the previous round's weights). With --members k
// every arm uses a k-member bootstrap ensemble (scored by its mean), so only the choice differs.
// Prints the curves (mean ± sd over seeds) and, per arm, the ratings needed to reach each
// target (--targets, and random's final AUROC; interpolated on the mean curve, and per seed) and
// the saving against random, and where the last point's AUROC is lost (by kind of implausible
// test item, with how many of each kind the arm rated); writes curve.svg, curve.md and result.json.
//   MEDLOOP_THREADS=1 node --import tsx bench/reward-active.ts [--arms random,entropy,power-entropy,badge,bald] [--power 1] [--seeds 3] [--seed-start 1000] [--members 1]
//     [--first 50] [--round 50] [--max 500] [--epochs 30] [--lr 2e-3] [--warm-epochs 10 (0: cold every round)] [--targets 0.9,0.93,0.95] [--pool 1500] [--test 600] [--test-without KIND,...] [--pooling max|mean] [--out /tmp/reward-active]
//     [--merge DIR,DIR (summarise earlier runs' curves instead of training)]
// Why epochs and not a fixed step count: with a fixed 250 steps the model saw 500 ratings only
// ~8 times (under-trained: AUROC 0.62–0.93 by seed, falling as ratings grew) and 50 ratings ~80
// times; with epochs, the learning rate decayed to 0 and warm starts (--warm-epochs 10) the
// curve rises smoothly with the ratings (random: 0.891 ± 0.017 at 50, 0.963 ± 0.006 at 500).
// Early stopping on a held-out cut of the ratings was tried and is off: with 10 % rater error
// the held-out set is too noisy to pick a checkpoint by (it lost up to 0.14 AUROC).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CELL_CRITERIA, simulatedRater } from '../src/data/phantoms/index.js';
import { makeOracleJudge } from '../src/data/phantoms/index.js';
import { deriveSeed, seededRandom, shuffled } from '../src/data/random.js';
import { setNumThreads } from '../src/engine/index.js';
import { lineChartSvg } from '../src/eval/report/svg-charts.js';
import { ACQUISITIONS, type Acquisition, chooseForRating } from '../src/reward/active.js';
import { auroc, aurocLossByGroup } from '../src/reward/metrics.js';
import type { RatedImage, RealImage } from '../src/reward/plausibility/dataset.js';
import { predictPlausibility, rastersToUnitTensor, trainPlausibilityEnsemble, trainPlausibilityModel } from '../src/reward/plausibility/train.js';
import { DEFAULT_REWARD_NET_CONFIG, type PlausibilityRewardNet } from '../src/models/reward-net.js';
import { toGlobalPool } from '../src/models/reward-net-backbone.js';
import { type Breakdown, type Curve, mergeActiveResults, readActiveResult } from './active-merge.js';
import { type PoolItem, phantomPool, realPhantoms } from './phantom-pool.js';

const { values: a } = parseArgs({
  options: {
    size: { type: 'string', default: '32' },
    pool: { type: 'string', default: '1500' },
    test: { type: 'string', default: '600' },
    // Score against the held-out items of every kind but these (e.g. wrong-vacuoles, which no
    // arm learns at 32 px: see the loss table), to see the choice on what can be learnt.
    'test-without': { type: 'string', default: '' },
    real: { type: 'string', default: '200' },
    first: { type: 'string', default: '50' },
    round: { type: 'string', default: '50' },
    max: { type: 'string', default: '500' },
    seeds: { type: 'string', default: '3' },
    // Seeds are seed-start, seed-start + 1, …: split one measurement over processes (one core
    // each) with different starts, then --merge their output folders into one summary.
    'seed-start': { type: 'string', default: '1000' },
    merge: { type: 'string' },
    members: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '30' },
    // Peak learning rate of every round's training (the trainer's default: 2e-3).
    lr: { type: 'string', default: '2e-3' },
    'warm-epochs': { type: 'string', default: '10' },
    arms: { type: 'string', default: 'random,entropy' },
    power: { type: 'string', default: '1' },
    // AUROC levels to report ratings-to-reach for (random's final AUROC is always added).
    targets: { type: 'string', default: '0.9,0.93,0.95' },
    widths: { type: 'string', default: '8,16,32' },
    // The net's global pooling (default: the reward net's own, max).
    pooling: { type: 'string', default: DEFAULT_REWARD_NET_CONFIG.pooling },
    'error-rate': { type: 'string', default: '0.1' },
    // Default: MEDLOOP_THREADS (already applied by the engine on load), else every core.
    threads: { type: 'string' },
    out: { type: 'string', default: '/tmp/reward-active' },
  },
});
if (a.threads) setNumThreads(Number(a.threads));
const size = Number(a.size);
const roundSize = Number(a.round);
// Curve points: the shared random start, then one per round.
const points = Array.from({ length: Math.floor((Number(a.max) - Number(a.first)) / roundSize) + 1 }, (_, i) => Number(a.first) + i * roundSize);
const members = Number(a.members);
const epochs = Number(a.epochs);
const warmEpochs = Number(a['warm-epochs']);
const targetLevels = a.targets!.split(',').map(Number);
const widths = a.widths!.split(',').map(Number);
const pooling = toGlobalPool(a.pooling, '--pooling', 'pooling');
const arms = a.arms!.split(',');
const power = Number(a.power);
const errorRate = Number(a['error-rate']);
const out = a.out!;
const cacheDir = join(out, 'cache');
// An arm is an acquisition, optionally prefixed 'power-': the batch is then drawn ∝ score^--power instead of the top scores.
const acquisitionOf = (arm: string) => arm.replace(/^power-/, '') as Acquisition;
for (const arm of arms) if (!(ACQUISITIONS as readonly string[]).includes(acquisitionOf(arm))) throw new RangeError(`--arms: unknown acquisition '${arm}' (known: ${ACQUISITIONS.join(', ')}, each optionally power-)`);
if (members < 2 && arms.some((x) => ['bald', 'disagreement'].includes(acquisitionOf(x)))) throw new RangeError('--arms bald/disagreement need --members ≥ 2 (an ensemble)');
mkdirSync(out, { recursive: true });

/** One round's reward model(s): cold with `epochs` passes, or from `prev` with `warmEpochs`. */
function train(rated: RatedImage[], real: RealImage[], seed: number, prev: PlausibilityRewardNet[] | null): PlausibilityRewardNet[] {
  const warm = prev !== null && warmEpochs > 0;
  // Every criterion listed, so the criterion head is the same whatever the raters ticked so far.
  // No held-out cut: every rating trains (the oracle's test pool is the yardstick).
  const opts = { criteria: [...CELL_CRITERIA], imageSize: size, net: { widths, pooling }, epochs: warm ? warmEpochs : epochs, lr: Number(a.lr), minSteps: 0, valFraction: 0, augment: 'dihedral' as const, seed };
  const data = { rated, pairs: [], real };
  if (members > 1) return trainPlausibilityEnsemble(data, members, { ...opts, ...(warm ? { init: prev } : {}) }).map((m) => m.net);
  return [trainPlausibilityModel(data, { ...opts, ...(warm ? { init: prev[0]! } : {}) }).net];
}

/** AUROC of the models' mean against the oracle, and the AUROC lost to each kind of implausible item. */
function oracleScore(nets: PlausibilityRewardNet[], test: PoolItem[]): { auroc: number; lossByKind: Record<string, number> } {
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
  const truth = test.map((t) => t.plausible);
  return {
    auroc: auroc(mean, truth),
    lossByKind: Object.fromEntries(
      aurocLossByGroup(
        mean,
        truth,
        test.map((t) => t.kind),
      ),
    ),
  };
}

const curves: Record<string, Curve[]> = Object.fromEntries(arms.map((arm) => [arm, []]));
/** Per arm and seed, at the last point: the AUROC lost to each kind of implausible test item, and how many of each kind the arm had rated. */
const breakdowns: Record<string, Breakdown[]> = Object.fromEntries(arms.map((arm) => [arm, []]));
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
// One held-out set for every seed (its own seed), so seeds differ in pool, ratings and training only.
const without = new Set(a['test-without']!.split(',').filter(Boolean));
const test = phantomPool(Number(a.test), { size, seed: 4242, cacheDir }).filter((t) => !without.has(t.kind));
const testShare = test.filter((t) => t.plausible).length / test.length;
console.error(`test: ${test.length} items, ${(100 * testShare).toFixed(0)}% plausible by the oracle (${elapsed()})`);
const seedList = Array.from({ length: Number(a.seeds) }, (_, s) => Number(a['seed-start']) + s);
if (a.merge) {
  const merged = mergeActiveResults(a.merge.split(',').map((dir) => ({ name: dir, result: readActiveResult(dir) })), arms, points);
  seedList.splice(0, seedList.length, ...merged.seedList);
  Object.assign(curves, merged.curves);
  Object.assign(breakdowns, merged.breakdowns);
}
for (const seed of a.merge ? [] : seedList) {
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
  const firstNets = train(firstRated, real, deriveSeed(seed, 'train', firstRated.length), null);
  const firstScore = oracleScore(firstNets, test).auroc;
  console.error(`seed ${seed} warm start ${firstRated.length} ratings: auroc ${firstScore.toFixed(4)} (${elapsed()})`);
  for (const arm of arms) {
    const chosen = new Set(first.map((p) => p.id));
    const rated = [...firstRated];
    const curve: Curve = [{ ratings: rated.length, auroc: firstScore }];
    let nets: PlausibilityRewardNet[] = firstNets;
    for (;;) {
      const next = points.find((p) => p > rated.length);
      if (next === undefined) break;
      const left = pool.filter((p) => !chosen.has(p.id));
      const n = next - rated.length;
      const picks = arm === 'random' ? shuffled(left, seededRandom(deriveSeed(seed, 'random', rated.length))).slice(0, n) : chooseForRating(left, nets, n, { acquisition: acquisitionOf(arm), ...(arm.startsWith('power-') ? { power } : {}), seed: deriveSeed(seed, 'pick', rated.length) });
      for (const p of picks) {
        chosen.add(p.id);
        rated.push(toRated(byId.get(p.id)!));
      }
      // Every arm retrains every round the same way (a warm start needs the previous round's model).
      const prev = nets;
      nets = train(rated, real, deriveSeed(seed, 'train', arm, rated.length), prev);
      if (prev !== firstNets) for (const m of prev) m.dispose();
      const { auroc: score, lossByKind } = oracleScore(nets, test);
      curve.push({ ratings: rated.length, auroc: score });
      console.error(`seed ${seed} ${arm} ${rated.length} ratings: auroc ${score.toFixed(4)} (${elapsed()})`);
      if (rated.length === points[points.length - 1]) {
        const kinds: Record<string, number> = {};
        for (const r of rated) kinds[byId.get(r.id)!.kind] = (kinds[byId.get(r.id)!.kind] ?? 0) + 1;
        breakdowns[arm]!.push({ seed, loss: lossByKind, rated: kinds });
      }
    }
    if (nets !== firstNets) for (const m of nets) m.dispose();
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
/** Per seed: ratings at which that seed's own curve first reaches `level` (null: never). */
const reachPerSeed = (arm: string, level: number) => curves[arm]!.map((c) => reach(c.map((p) => ({ ratings: p.ratings, mean: p.auroc })), level));
const targets = [
  ...targetLevels.map((level) => ({ name: `AUROC ${level}`, level })),
  ...(randomFinal === null ? [] : [{ name: `random's final (${randomFinal.toFixed(3)})`, level: randomFinal }]),
];
const comparison = Object.fromEntries(
  arms.map((arm) => [
    arm,
    {
      final: summary[arm]![points.length - 1]!.mean,
      targets: targets.map((t) => {
        const ratings = reach(summary[arm]!, t.level);
        const perSeed = reachPerSeed(arm, t.level);
        // Paired by seed (same pool, rater and warm start): each seed's own saving against random.
        const base = random ? reachPerSeed('random', t.level) : [];
        const perSeedSaving = random ? perSeed.map((r, i) => saving(r, base[i] ?? null)) : [];
        return { target: t.name, level: t.level, ratings, savingVsRandom: random ? saving(ratings, reach(random, t.level)) : null, perSeed, perSeedSaving };
      }),
    },
  ]),
);

// Outputs: a standalone SVG (the report's line chart with its stylesheet inlined), a table, the JSON.
const chart = lineChartSvg({
  title: 'Reward-model AUROC against the oracle vs ratings',
  xLabel: 'ratings',
  yLabel: `AUROC (mean of ${seedList.length} seeds)`,
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
const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(0)} %`);
const reachTable = [
  `| arm | ${targets.map((t) => `ratings to ${t.name} (per seed) | saving vs random (per seed)`).join(' | ')} |`,
  `|---|${targets.map(() => '---:|---:').join('|')}|`,
  ...arms.map(
    (arm) =>
      `| ${arm} | ${comparison[arm]!.targets
        .map((t) => `${t.ratings ?? `> ${points[points.length - 1]}`} (${t.perSeed.map((r) => r ?? '–').join(', ')}) | ${pct(t.savingVsRandom)} (${t.perSeedSaving.map(pct).join(', ')})`)
        .join(' | ')} |`,
  ),
].join('\n');
// Where the last point's AUROC is lost, by kind of implausible item, and what each arm rated (means over seeds).
const kinds = [...new Set(arms.flatMap((arm) => breakdowns[arm]!.flatMap((b) => Object.keys(b.loss))))].sort();
const meanOf = (arm: string, pick: (b: Breakdown) => number) => (breakdowns[arm]!.length ? breakdowns[arm]!.reduce((t, b) => t + pick(b), 0) / breakdowns[arm]!.length : NaN);
const lossTable = kinds.length
  ? [
      `| test items (kind) | ${arms.map((x) => `${x}: AUROC lost at ${points[points.length - 1]} | rated`).join(' | ')} |`,
      `|---|${arms.map(() => '---:|---:').join('|')}|`,
      ...kinds.map((k) => `| ${k} | ${arms.map((x) => `${meanOf(x, (b) => b.loss[k] ?? 0).toFixed(4)} | ${meanOf(x, (b) => b.rated[k] ?? 0).toFixed(0)}`).join(' | ')} |`),
    ].join('\n')
  : '';
writeFileSync(join(out, 'curve.md'), `${table}\n\n${reachTable}\n\n${lossTable}\n`);
console.error(`${table}\n\n${reachTable}\n\n${lossTable}`);
const result = {
  bench: 'reward-active',
  testbed: 'phantoms',
  size,
  pool: Number(a.pool),
  test: test.length,
  testWithout: [...without],
  testPlausibleShare: testShare,
  real: Number(a.real),
  members,
  widths,
  pooling,
  power,
  epochs,
  warmEpochs,
  lr: Number(a.lr),
  round: roundSize,
  points,
  seeds: seedList.length,
  seedList,
  raterErrorRate: errorRate,
  curve: summary,
  targets,
  randomFinalAuroc: randomFinal,
  comparison,
  breakdowns,
  seconds: (performance.now() - t0) / 1000,
  out,
};
writeFileSync(join(out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result));
