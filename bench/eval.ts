// FID and PRDC (k = 5) on 10,000 vs 10,000 feature vectors of 128 dimensions —
// the size of a full evaluation — timed separately. Prints a final JSON line.
// Run: npm run bench:eval [-- --n 10000 --d 128 --rounds 3]
import { parseArgs } from 'node:util';
import { Generator, engineInfo, randn, tidy } from '../src/engine/index.js';
import { fid, gaussianStats } from '../src/eval/metrics/fid.js';
import { prdc } from '../src/eval/metrics/prdc.js';

const { values: args } = parseArgs({ options: { n: { type: 'string', default: '10000' }, d: { type: 'string', default: '128' }, rounds: { type: 'string', default: '3' } } });
const n = Number(args.n);
const d = Number(args.d);
const rounds = Number(args.rounds);

// Two feature sets that differ a little in mean and scale, like a generator against real data.
const gen = new Generator(0);
const real = tidy(() => randn([n, d], { generator: gen }).relu());
const fake = tidy(() => randn([n, d], { generator: gen }).mul(1.1).add(0.05).relu());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fidTimes: number[] = [];
const prdcTimes: number[] = [];
let last: { fid: number; prdc: ReturnType<typeof prdc> } | undefined;
for (let r = 0; r < rounds; r++) {
  let t = performance.now();
  const f = fid(gaussianStats(real), gaussianStats(fake));
  fidTimes.push((performance.now() - t) / 1000);
  t = performance.now();
  const p = prdc(real, fake, { k: 5 });
  prdcTimes.push((performance.now() - t) / 1000);
  last = { fid: f, prdc: p };
  console.error(`round ${r + 1}/${rounds}: fid ${fidTimes[r]!.toFixed(2)} s, prdc ${prdcTimes[r]!.toFixed(2)} s`);
}
const result = {
  n,
  d,
  fid_seconds: +median(fidTimes).toFixed(3),
  prdc_seconds: +median(prdcTimes).toFixed(3),
  seconds: +(median(fidTimes) + median(prdcTimes)).toFixed(3),
  fid: +last!.fid.toFixed(4),
  precision: +last!.prdc.precision.toFixed(4),
  recall: +last!.prdc.recall.toFixed(4),
  density: +last!.prdc.density.toFixed(4),
  coverage: +last!.prdc.coverage.toFixed(4),
  threads: engineInfo().threads,
  backend: `libtorch-${engineInfo().version}`,
};
console.log(JSON.stringify(result));
