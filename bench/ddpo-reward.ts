// How far DDPO gets from one pretrained demo generator with each kind of reward, on the
// phantom cells (where the oracle knows the truth):
//   oracle  — the exact oracle's verdict: the ceiling, what the policy gradient does with a perfect reward;
//   raters  — one simulated expert per sample (the oracle flipped with --rater-error), rated online
//             every iteration: feedback straight from ratings, with the number of ratings it costs;
//   learned — the workspace's plausibility reward models (what the demo optimises).
// Every arm runs the workspace's own DDPO settings (medloop.yaml's align.* and sampling.*, as the
// demo's DDPO stage builds them), from the same weights and seeds; --iterations, --lr and --warmup
// override them. Every --eval-every iterations the oracle judges 64 fresh samples per class (the
// same seeds for every arm and checkpoint) and within-class MS-SSIM measures diversity.
// Prints a table per checkpoint and a final JSON line (each arm's last checkpoint); writes
// table.md, curve.svg, result-<arm>.json and each arm's last grid.
//   MEDLOOP_THREADS=1 npm run bench:ddpo-reward -- --workspace DEMO_DIR [--arms oracle,raters,learned]
//     [--iterations 48] [--eval-every 8] [--lr 1e-4] [--warmup 0] [--rater-error 0.1] [--per 64] [--out /tmp/ddpo-reward]
// Each arm writes its own result-<arm>.json and the table reads every one in --out, so arms
// can run in separate processes (one core each) into one folder.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runDdpo } from '../src/align/ddpo.js';
import { GeneratorPolicy } from '../src/align/generator-policy.js';
import type { RewardTerm } from '../src/align/reward-mix.js';
import { rewardTermsFor } from '../src/align/reward-terms.js';
import { Progress } from '../src/cli/progress.js';
import { encodePng } from '../src/data/png.js';
import { makeOracleJudge, simulatedRater } from '../src/data/phantoms/index.js';
import { loadGenerator } from '../src/diffusion/generator.js';
import { setNumThreads } from '../src/engine/index.js';
import { rastersToTensor } from '../src/eval/feature-extractor.js';
import { withinConditionMsSsim } from '../src/eval/metrics/diversity.js';
import { lineChartSvg } from '../src/eval/report/svg-charts.js';
import { oracleReward } from '../src/reward/rewards/oracle.js';
import { loadConfig } from '../src/workspace/config.js';
import { ddpoConfigFor } from '../src/workspace/demo/align-stage.js';
import { StageRunner } from '../src/workspace/stage-runner.js';
import { classGrid, sampleSet } from '../src/workspace/demo/sample-stage.js';

const ARMS = ['oracle', 'raters', 'learned'] as const;
type Arm = (typeof ARMS)[number];

const { values: a } = parseArgs({
  options: {
    workspace: { type: 'string' },
    arms: { type: 'string', default: ARMS.join(',') },
    iterations: { type: 'string', default: '48' },
    'eval-every': { type: 'string', default: '8' },
    lr: { type: 'string' },
    warmup: { type: 'string' },
    'rater-error': { type: 'string', default: '0.1' },
    per: { type: 'string', default: '64' },
    'eval-seed': { type: 'string', default: '4242' },
    threads: { type: 'string' },
    out: { type: 'string', default: '/tmp/ddpo-reward' },
  },
});

interface Checkpoint {
  iteration: number;
  plausibility: number;
  perCondition: Record<string, number>;
  msSsim: number;
  /** Mean training reward of the iteration that ended here (NaN at 0). */
  reward: number;
}
interface ArmResult {
  arm: Arm;
  settings: Record<string, unknown>;
  checkpoints: Checkpoint[];
  ratings: number;
  seconds: number;
}

if (!a.workspace) throw new Error('bench/ddpo-reward: --workspace DEMO_DIR is required (a finished medloop demo: its medloop.yaml, baseline run and reward models)');
const ws = resolve(a.workspace);
const arms = a.arms.split(',').map((s) => s.trim()) as Arm[];
for (const arm of arms) if (!ARMS.includes(arm)) throw new Error(`bench/ddpo-reward: --arms: unknown arm '${arm}' (choose from ${ARMS.join(', ')})`);
if (a.threads) setNumThreads(Number(a.threads));
const out = resolve(a.out);
mkdirSync(out, { recursive: true });

const config = loadConfig(join(ws, 'medloop.yaml'));
// the baseline is the demo's recorded pretrain stage (read back as a resumed demo reads it)
const baseline = await new StageRunner(ws, () => {}).run<{ runId: string; runDir: string }>('pretrain', () => {
  throw new Error(`bench/ddpo-reward: ${ws} has no finished pretrain stage; run medloop demo --out ${ws} first`);
});
const judge = makeOracleJudge('cells');
const per = Number(a.per);
const evalEvery = Number(a['eval-every']);

function evaluate(policy: GeneratorPolicy, classes: string[], iteration: number, reward: number, arm: Arm): Checkpoint {
  policy.module.eval();
  const set = sampleSet(policy.module, { classes, perCondition: per, steps: config.sampling.steps, eta: config.sampling.eta, cfg: config.sampling.cfg, seed: Number(a['eval-seed']) });
  const verdicts = set.images.map((im, i) => judge(im, set.conditions[i]!).plausible);
  const perCondition = Object.fromEntries(classes.map((c) => [c, verdicts.filter((v, i) => v && set.conditions[i] === c).length / per]));
  const images = rastersToTensor(set.images, 3);
  const diversity = withinConditionMsSsim(images, set.conditions, { pairsPerCondition: 100, seed: 1 });
  images.dispose();
  writeFileSync(join(out, `grid-${arm}.png`), encodePng(classGrid(set, classes, 12)));
  return { iteration, plausibility: verdicts.filter(Boolean).length / verdicts.length, perCondition, msSsim: diversity.mean, reward };
}

async function rewardFor(arm: Arm): Promise<{ terms: RewardTerm[]; counter: { ratings: number } }> {
  const counter = { ratings: 0 };
  if (arm === 'learned') return { terms: await rewardTermsFor({ workspace: ws }, 'plausibility:1', []), counter };
  const verdict = arm === 'oracle' ? judge : simulatedRater({ judge, errorRate: Number(a['rater-error']), seed: 17 });
  const fn = oracleReward(verdict);
  const counted: RewardTerm['fn'] = (images, conditions) => {
    counter.ratings += conditions.length;
    return fn(images, conditions);
  };
  return { terms: [{ name: arm, weight: 1, comparative: false, fn: counted }], counter };
}

for (const arm of arms) {
  const t0 = performance.now();
  const policy = new GeneratorPolicy(loadGenerator(baseline.runDir));
  const classes = config.data.classes.length ? config.data.classes : ((policy.module.config.condition as { classes?: string[] }).classes ?? []);
  const cfg = ddpoConfigFor(config, classes, { rewards: [{ name: arm, weight: 1, comparative: false }], anchor: baseline.runId, data: 'bench/ddpo-reward' });
  cfg.iterations = Number(a.iterations);
  if (a.lr) cfg.lr = Number(a.lr);
  if (a.warmup) cfg.lrWarmupUpdates = Number(a.warmup);
  if (cfg.pretrainWeight > 0) throw new Error(`bench/ddpo-reward: ${ws}/medloop.yaml sets align.pretrainWeight ${cfg.pretrainWeight}; the bench runs without real images, so set it to 0 in a copy of the workspace`);
  const { terms, counter } = await rewardFor(arm);
  const checkpoints = [evaluate(policy, classes, 0, Number.NaN, arm)];
  const progress = new Progress({ label: `ddpo ${arm}`, total: cfg.iterations });
  await runDdpo(cfg, {
    policy,
    rewards: terms,
    onIteration: (m) => {
      const done = m.iteration + 1;
      progress.set(done, `reward ${m.reward.mean.toFixed(3)} oracle ${(checkpoints.at(-1)!.plausibility * 100).toFixed(1)}% @${checkpoints.at(-1)!.iteration}`);
      if (done % evalEvery === 0 || done === cfg.iterations) checkpoints.push(evaluate(policy, classes, done, m.reward.mean, arm));
    },
  });
  progress.finish();
  policy.dispose();
  const settings = { iterations: cfg.iterations, batch: cfg.batchSize, lr: cfg.lr, warmupUpdates: cfg.lrWarmupUpdates, timestepFraction: cfg.timestepFraction, skipSteps: cfg.skipSteps, raterError: arm === 'raters' ? Number(a['rater-error']) : null, baseline: baseline.runDir };
  const result: ArmResult = { arm, settings, checkpoints, ratings: counter.ratings, seconds: (performance.now() - t0) / 1000 };
  writeFileSync(join(out, `result-${arm}.json`), JSON.stringify(result, null, 1));
}

// The table and chart cover every arm's result in --out (arms may run in separate processes).
const results = readdirSync(out)
  .filter((f) => /^result-\w+\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as ArmResult);
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const lines = [`DDPO from ${baseline.runDir}: oracle plausibility of ${per} fresh samples per class (within-class MS-SSIM)`, '', '| iteration | ' + results.map((r) => r.arm).join(' | ') + ' |', '|---:|' + results.map(() => '---:|').join('')];
const iterations = [...new Set(results.flatMap((r) => r.checkpoints.map((c) => c.iteration)))].sort((x, y) => x - y);
for (const it of iterations) {
  const cells = results.map((r) => {
    const c = r.checkpoints.find((k) => k.iteration === it);
    return c ? `${pct(c.plausibility)} (${c.msSsim.toFixed(3)})` : '';
  });
  lines.push(`| ${it} | ${cells.join(' | ')} |`);
}
lines.push('', ...results.map((r) => `${r.arm}: ${r.seconds.toFixed(0)} s, ${r.ratings} ratings, settings ${JSON.stringify(r.settings)}`));
const table = lines.join('\n');
console.log(table);
writeFileSync(join(out, 'table.md'), table + '\n');
const svg = lineChartSvg({
  title: 'DDPO: oracle plausibility of fresh samples',
  xLabel: 'iteration',
  yLabel: 'oracle plausibility',
  series: results.map((r) => ({ name: r.arm, points: r.checkpoints.map((c) => [c.iteration, c.plausibility] as const) })),
});
writeFileSync(join(out, 'curve.svg'), svg);
const last = (r: ArmResult) => r.checkpoints.at(-1)!;
console.log(
  JSON.stringify({
    bench: 'ddpo-reward',
    baseline: results[0]!.checkpoints[0]!.plausibility,
    arms: Object.fromEntries(results.map((r) => [r.arm, { iteration: last(r).iteration, plausibility: last(r).plausibility, msSsim: last(r).msSsim, ratings: r.ratings, seconds: Math.round(r.seconds) }])),
  }),
);
