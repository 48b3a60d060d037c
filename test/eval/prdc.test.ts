import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, Generator, undisposedTensorCount, randn, tensor, tidy } from '../../src/engine/index.js';
import { DistanceTarget } from '../../src/eval/metrics/distances.js';
import { knnRadii } from '../../src/eval/metrics/knn.js';
import { prdc } from '../../src/eval/metrics/prdc.js';

/** Points on a line, as [N, 2] float64 (second coordinate 0). */
function line(xs: number[]) {
  return tensor(Float64Array.from(xs.flatMap((x) => [x, 0])), [xs.length, 2], { dtype: 'float64' });
}

test('PRDC on points on a line matches hand-computed values (k = 1)', () => {
  const before = undisposedTensorCount();
  // real {0,1,3,7}: 1-NN radii 1, 1, 2, 4.
  const real = line([0, 1, 3, 7]);
  // fake A {0.5, 2.5, 12, 20}: radii 2, 2, 8, 8.
  // precision: 0.5 ∈ B(0,1), 2.5 ∈ B(3,2); 12, 20 in no ball → 2/4.
  // density: 0.5 in B(0), B(1); 2.5 in B(3) → 3 / (k·M = 4).
  // recall: 0, 1, 3 within 2 of 0.5 / 2.5; 7 within 8 of 12 → 4/4.
  // coverage: nearest fake of 0, 1, 3 is 0.5 away (< 1, 1, 2); of 7 is 4.5 away (≥ 4) → 3/4.
  const fakeA = line([0.5, 2.5, 12, 20]);
  assert.deepEqual(pick(prdc(real, fakeA, { k: 1 })), { precision: 0.5, recall: 1, density: 0.75, coverage: 0.75 });
  // fake B {0.5, 1.5, 2.5, 3.5}: radii 1 each.
  // precision 4/4; density 2 + 2 + 1 + 2 (3.5 is 3.5 < 4 from 7) = 7/4; recall: 7 is 3.5 from 3.5 (≥ 1) → 3/4; coverage 4/4.
  const fakeB = line([0.5, 1.5, 2.5, 3.5]);
  assert.deepEqual(pick(prdc(real, fakeB, { k: 1 })), { precision: 1, recall: 0.75, density: 1.75, coverage: 1 });
  for (const t of [real, fakeA, fakeB]) t.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('kNN radii skip the point itself', () => {
  const x = line([0, 1, 3, 7]);
  const r = knnRadii(x, 2);
  assert.deepEqual(Array.from(r.toFloat64Array()), [3, 2, 3, 6]);
  x.dispose();
  r.dispose();
});

test('PRDC (k = 5, chunked) matches a brute-force reference', () => {
  const gen = new Generator(3);
  const real = randn([57, 6], { generator: gen, dtype: 'float64' });
  const shifted = randn([43, 6], { generator: gen, dtype: 'float64' });
  const fake = shifted.mul(1.3).add(0.4);
  const got = prdc(real, fake, { k: 5, chunkSize: 7 });
  const want = bruteForce(rows(real), rows(fake), 5);
  for (const key of ['precision', 'recall', 'density', 'coverage'] as const) {
    assert.ok(Math.abs(got[key] - want[key]) < 1e-12, `${key}: ${got[key]} vs ${want[key]}`);
  }
  assert.ok(got.precision < 1 && got.coverage < 1 && got.density < 1, 'a shifted, wider set is neither fully precise nor fully covering');
  for (const t of [real, shifted, fake]) t.dispose();
});

test('float32 distance blocks (1×1 convolution) match float64 cdist', () => {
  const before = undisposedTensorCount();
  const gen = new Generator(8);
  const [a, b] = tidy(() => [randn([37, 24], { generator: gen }), randn([53, 24], { generator: gen }).add(0.5)]);
  const target = new DistanceTarget(b!);
  const err = tidy(() => target.squaredFrom(a!).sqrt().to('float64').sub(F.cdist(a!.double(), b!.double())).abs().amax().item());
  assert.ok(err < 1e-4, `max error ${err}`);
  target.dispose();
  a!.dispose();
  b!.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('PRDC on float32 features (the fast path) matches the brute-force reference', () => {
  const gen = new Generator(4);
  const [real, fake] = tidy(() => [randn([64, 5], { generator: gen }), randn([48, 5], { generator: gen }).mul(0.8).add(0.3)]);
  const got = prdc(real!, fake!, { k: 5, chunkSize: 10 });
  const want = bruteForce(rows(real!), rows(fake!), 5);
  for (const key of ['precision', 'recall', 'density', 'coverage'] as const) assert.equal(got[key], want[key], key);
  real!.dispose();
  fake!.dispose();
});

test('identical sets have precision = recall = coverage = 1 and density ≈ 1', () => {
  const gen = new Generator(5);
  const x = randn([200, 8], { generator: gen, dtype: 'float64' });
  const r = prdc(x, x, { k: 5 });
  assert.equal(r.precision, 1);
  assert.equal(r.recall, 1);
  assert.equal(r.coverage, 1);
  assert.ok(r.density > 0.8 && r.density < 1.3, `density ${r.density}`);
  x.dispose();
});

function pick(r: { precision: number; recall: number; density: number; coverage: number }) {
  return { precision: r.precision, recall: r.recall, density: r.density, coverage: r.coverage };
}

function rows(t: ReturnType<typeof randn>): number[][] {
  const [n, d] = t.shape as [number, number];
  const a = t.toFloat64Array();
  return Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * d, (i + 1) * d)));
}

/** Naeem et al.'s definitions, written out with loops. */
function bruteForce(real: number[][], fake: number[][], k: number) {
  const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
  const radii = (xs: number[][]) => xs.map((x) => xs.map((y) => dist(x, y)).sort((a, b) => a - b)[k]!);
  const rr = radii(real);
  const rf = radii(fake);
  const precision = fake.filter((f) => real.some((r, i) => dist(f, r) < rr[i]!)).length / fake.length;
  const recall = real.filter((r) => fake.some((f, j) => dist(r, f) < rf[j]!)).length / real.length;
  const density = fake.reduce((s, f) => s + real.filter((r, i) => dist(f, r) < rr[i]!).length, 0) / (k * fake.length);
  const coverage = real.filter((r, i) => Math.min(...fake.map((f) => dist(r, f))) < rr[i]!).length / real.length;
  return { precision, recall, density, coverage };
}
