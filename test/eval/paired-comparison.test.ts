import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mcnemarExactP, pairedComparison } from '../../src/eval/metrics/paired-comparison.js';

test('McNemar exact p-values match scipy.stats.binomtest on the discordant pairs', () => {
  // reference values: scipy 1.17 binomtest(gained, gained + lost, 0.5).pvalue
  const cases: [number, number, number][] = [
    [15, 5, 0.04138946533203125],
    [7, 0, 0.015625],
    [30, 20, 0.20263875106454066],
    [3, 3, 1],
  ];
  for (const [g, l, p] of cases) assert.ok(Math.abs(mcnemarExactP(g, l) - p) < 1e-12, `${g}/${l}: ${mcnemarExactP(g, l)} vs ${p}`);
  assert.equal(mcnemarExactP(0, 0), 1);
  assert.equal(mcnemarExactP(5, 15), mcnemarExactP(15, 5));
});

test('paired comparison counts gained and lost pairs and ignores concordant ones', () => {
  const before = [true, true, false, false, false, true, false, false];
  const after = [true, false, true, true, false, true, true, false];
  const r = pairedComparison(before, after);
  assert.equal(r.pairs, 8);
  assert.equal(r.gained, 3);
  assert.equal(r.lost, 1);
  assert.equal(r.difference.estimate, 2 / 8);
  assert.ok(r.difference.lo < r.difference.estimate && r.difference.estimate < r.difference.hi);
  assert.throws(() => pairedComparison([true], [true, false]), /1 judgements before but 2 after/);
});

test('Newcombe paired interval: about 95% coverage of the true difference, narrower than ignoring the pairing', () => {
  // correlated pairs: the aligned verdict keeps the baseline's with prob 0.8, else redrawn with p = 0.45
  // mulberry32
  let seed = 12345;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pBefore = 0.3;
  const keep = 0.8;
  const pAfter = keep * pBefore + (1 - keep) * 0.45; // 0.33
  const truth = pAfter - pBefore;
  let covered = 0;
  let pairedWidth = 0;
  let unpairedWidth = 0;
  const runs = 2000;
  for (let r = 0; r < runs; r++) {
    const before: boolean[] = [];
    const after: boolean[] = [];
    for (let i = 0; i < 256; i++) {
      const b = rand() < pBefore;
      before.push(b);
      after.push(rand() < keep ? b : rand() < 0.45);
    }
    const c = pairedComparison(before, after);
    if (c.difference.lo <= truth && truth <= c.difference.hi) covered++;
    pairedWidth += c.difference.hi - c.difference.lo;
    // Newcombe's unpaired interval would be at least about 2·1.96·√(2·p(1−p)/n)
    unpairedWidth += 2 * 1.96 * Math.sqrt((pBefore * (1 - pBefore) + pAfter * (1 - pAfter)) / 256);
  }
  const coverage = covered / runs;
  console.log(`coverage ${coverage}, mean width paired ${(pairedWidth / runs).toFixed(3)} vs unpaired ${(unpairedWidth / runs).toFixed(3)}`);
  assert.ok(coverage > 0.92 && coverage < 0.98, `coverage ${coverage}`);
  assert.ok(pairedWidth < 0.7 * unpairedWidth, `paired width ${pairedWidth / runs} vs unpaired ${unpairedWidth / runs}`);
});
