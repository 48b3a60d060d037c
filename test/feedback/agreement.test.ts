// Agreement statistics against worked textbook examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  agreementSummary,
  cohensKappa,
  cohensKappaFromTable,
  countTable,
  fleissKappa,
  krippendorffAlphaNominal,
  unitsFromCoderRows,
} from '../../src/feedback/agreement/index.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("Cohen's κ: Wikipedia worked example (20/5/10/15 → p_o 0.7, p_e 0.5, κ 0.4)", () => {
  const r = cohensKappaFromTable([
    [20, 5],
    [10, 15],
  ]);
  close(r.observed, 0.7, 1e-12, 'p_o');
  close(r.expected, 0.5, 1e-12, 'p_e');
  close(r.kappa, 0.4, 1e-12, 'κ');
  assert.equal(r.n, 50);
});

test("Cohen's κ: same p_o, different marginals (Wikipedia: 0.1304 and 0.2593)", () => {
  close(cohensKappaFromTable([[45, 15], [25, 15]]).kappa, 0.1304, 5e-5, 'first');
  close(cohensKappaFromTable([[25, 35], [5, 35]]).kappa, 0.2593, 5e-5, 'second');
});

test("Cohen's κ from label sequences equals the table form and skips missing units", () => {
  const a: Array<string | null> = [];
  const b: Array<string | null> = [];
  const push = (x: string, y: string, n: number) => {
    for (let i = 0; i < n; i++) (a.push(x), b.push(y));
  };
  push('yes', 'yes', 20);
  push('yes', 'no', 5);
  push('no', 'yes', 10);
  push('no', 'no', 15);
  a.push(null), b.push('yes'); // missing for A: ignored
  a.push('no'), b.push(null);
  const r = cohensKappa(a, b);
  assert.equal(r.n, 50);
  close(r.kappa, 0.4, 1e-12, 'κ');
  assert.ok(Number.isNaN(cohensKappa(['x', 'x'], ['x', 'x']).kappa), 'κ undefined when p_e = 1');
});

test("Fleiss' κ: Wikipedia worked example (10 subjects × 14 raters × 5 categories → 0.210)", () => {
  const table = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ];
  const r = fleissKappa(table);
  close(r.observed, 0.378, 5e-4, 'P̄');
  close(r.expected, 0.213, 5e-4, 'P̄e');
  close(r.kappa, 0.21, 5e-4, 'κ');
  [0.143, 0.2, 0.279, 0.15, 0.229].forEach((p, j) => close(r.proportions[j]!, p, 5e-4, `p_${j + 1}`));
});

test("Fleiss' κ with two raters and no missing data equals Scott's π (= Krippendorff's α up to the small-sample factor)", () => {
  // Scott's π for the 20/5/10/15 table: p_o 0.7; pooled marginals yes (25+30)/100=0.55, no 0.45 → p_e 0.505.
  const units = [
    ...Array(20).fill(['y', 'y']),
    ...Array(5).fill(['y', 'n']),
    ...Array(10).fill(['n', 'y']),
    ...Array(15).fill(['n', 'n']),
  ] as string[][];
  const r = fleissKappa(countTable(units, ['y', 'n']).counts);
  close(r.kappa, (0.7 - 0.505) / (1 - 0.505), 1e-12, 'π');
  // Krippendorff by hand: n = 100 values, o_yn = o_ny = 15, n_y = 55, n_n = 45
  // → α = 1 − (n − 1)·30 / (2·55·45) = 0.4 (= 1 − (n−1)/n · (1 − π)-form disagreement ratio).
  const a = krippendorffAlphaNominal(units);
  close(a.alpha, 1 - ((100 - 1) * 30) / (2 * 55 * 45), 1e-12, 'α');
  close(a.alpha, 0.4, 1e-12, 'α');
});

test("Krippendorff's α nominal: Krippendorff (2011) §A, two observers, binary, no missing data → 0.095", () => {
  const rows = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
  ];
  const r = krippendorffAlphaNominal(unitsFromCoderRows(rows));
  close(r.alpha, 0.095, 5e-4, 'α');
  assert.equal(r.pairable, 20);
});

test("Krippendorff's α nominal: Krippendorff (2011) §C, four observers, 12 units, missing data → 0.743", () => {
  const _ = null;
  const rows = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
  ];
  const r = krippendorffAlphaNominal(unitsFromCoderRows(rows));
  // Unit 12 has a single value: not pairable. n = 40 pairable values in 11 units.
  assert.equal(r.units, 11);
  close(r.pairable, 40, 1e-9, 'n');
  close(r.alpha, 0.743, 5e-4, 'α');
});

test('agreementSummary ties the three statistics to rater names and handles partial overlap', () => {
  const ratings = [
    { unit: 1, rater: 'ann', label: 'plausible' },
    { unit: 1, rater: 'bob', label: 'plausible' },
    { unit: 2, rater: 'ann', label: 'implausible' },
    { unit: 2, rater: 'bob', label: 'plausible' },
    { unit: 2, rater: 'cyd', label: 'implausible' },
    { unit: 3, rater: 'bob', label: 'implausible' },
    { unit: 3, rater: 'cyd', label: 'implausible' },
    { unit: 4, rater: 'cyd', label: 'plausible' }, // single rating: not a unit for agreement
  ];
  const s = agreementSummary(ratings, ['plausible', 'implausible']);
  assert.deepEqual(s.raters, ['ann', 'bob', 'cyd']);
  assert.equal(s.units, 3);
  const annBob = s.cohen.find((c) => c.raterA === 'ann' && c.raterB === 'bob')!;
  assert.equal(annBob.n, 2);
  close(annBob.observed, 0.5, 1e-12, 'ann–bob p_o');
  const annCyd = s.cohen.find((c) => c.raterA === 'ann' && c.raterB === 'cyd')!;
  assert.equal(annCyd.n, 1);
  // Krippendorff by hand: units (P,P), (I,P,I), (I,I).
  // unit 1 (m=2): o_PP += 2. unit 2 (m=3, I×2, P×1): o_II += 2·1/2 = 1, o_IP = o_PI += 2·1/2 = 1. unit 3: o_II += 2.
  // o_PP = 2, o_II = 3, o_IP = o_PI = 1; n_P = 3, n_I = 4, n = 7 → α = 1 − 6·2 / (2·3·4) = 0.5.
  close(s.krippendorff.alpha, 0.5, 1e-12, 'α');
});
