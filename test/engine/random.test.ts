// Seeded random numbers: the same seed gives the same numbers, a generator's saved
// state replays its stream, and the draws have the distributions they claim.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, Generator, Linear, bernoulli, manualSeed, multinomial, ones, rand, randint, randn, randnLike, randperm, seedInit, setNumThreads, tensor, tidy } from '../../src/engine/index.js';

setNumThreads(1);

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
};

/** Every draw function, each with its own generator. */
const draws: [string, (g: Generator) => number[]][] = [
  ['randn', (g) => randn([5, 3], { generator: g }).toNumbers()],
  ['randn float64', (g) => randn([7], { generator: g, dtype: 'float64' }).toNumbers()],
  ['rand', (g) => rand([9], { generator: g }).toNumbers()],
  ['randint', (g) => randint(0, 1000, [9], { generator: g }).toNumbers()],
  ['randperm', (g) => randperm(20, { generator: g }).toNumbers()],
  ['randnLike', (g) => randnLike(ones([2, 4]), { generator: g }).toNumbers()],
  ['bernoulli', (g) => bernoulli(tensor(new Array(32).fill(0.5)), { generator: g }).toNumbers()],
  ['multinomial', (g) => multinomial(tensor([0.1, 0.2, 0.3, 0.4]), 8, true, { generator: g }).toNumbers()],
];

for (const [name, draw] of draws) {
  test(`${name}: same seed, same numbers; another seed, other numbers`, () =>
    tidy(() => {
      const a = draw(new Generator(42));
      const b = draw(new Generator(42));
      const c = draw(new Generator(43));
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
    }));
}

test('a generator advances: consecutive draws differ, and the sequence is reproducible', () =>
  tidy(() => {
    const g = new Generator(7);
    const first = randn([4], { generator: g }).toNumbers();
    const second = randn([4], { generator: g }).toNumbers();
    assert.notDeepEqual(first, second);
    const h = new Generator(7);
    assert.deepEqual([randn([4], { generator: h }).toNumbers(), randn([4], { generator: h }).toNumbers()], [first, second]);
  }));

test('getState/setState replays a stream, also on another generator', () =>
  tidy(() => {
    const g = new Generator(123);
    randn([10], { generator: g }); // advance somewhere mid-stream
    const state = g.getState();
    assert.ok(state instanceof Uint8Array && state.length > 0);
    const expected = [randn([6], { generator: g }).toNumbers(), rand([3], { generator: g }).toNumbers(), randint(0, 100, [3], { generator: g }).toNumbers()];
    g.setState(state);
    const replay = [randn([6], { generator: g }).toNumbers(), rand([3], { generator: g }).toNumbers(), randint(0, 100, [3], { generator: g }).toNumbers()];
    assert.deepEqual(replay, expected);
    const other = new Generator(999);
    other.setState(state);
    assert.deepEqual(randn([6], { generator: other }).toNumbers(), expected[0]);
    // A state survives a round trip through plain bytes (as in a checkpoint's JSON/binary).
    const copy = new Uint8Array(Buffer.from(Buffer.from(state).toString('base64'), 'base64'));
    other.setState(copy);
    assert.deepEqual(randn([6], { generator: other }).toNumbers(), expected[0]);
    assert.throws(() => other.setState(new Uint8Array(3)), /generator setState/);
  }));

test('randn: mean ≈ 0, std ≈ 1; rand: uniform on [0, 1)', () =>
  tidy(() => {
    const g = new Generator(1);
    const n = randn([100_000], { generator: g }).toNumbers();
    assert.ok(Math.abs(mean(n)) < 0.015, `mean ${mean(n)}`);
    assert.ok(Math.abs(std(n) - 1) < 0.015, `std ${std(n)}`);
    const within1 = n.filter((v) => Math.abs(v) < 1).length / n.length;
    assert.ok(Math.abs(within1 - 0.6827) < 0.01, `P(|z| < 1) = ${within1}`);
    const u = rand([100_000], { generator: g }).toNumbers();
    assert.ok(u.every((v) => v >= 0 && v < 1));
    assert.ok(Math.abs(mean(u) - 0.5) < 0.01 && Math.abs(std(u) - Math.sqrt(1 / 12)) < 0.01);
  }));

test('randint covers [low, high) and nothing else; randperm is a permutation', () =>
  tidy(() => {
    const g = new Generator(5);
    const r = randint(-3, 4, [2000], { generator: g });
    assert.equal(r.dtype, 'int64');
    assert.deepEqual([...new Set(r.toNumbers())].sort((a, b) => a - b), [-3, -2, -1, 0, 1, 2, 3]);
    const p = randperm(50, { generator: g }).toNumbers();
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.notDeepEqual(p, Array.from({ length: 50 }, (_, i) => i));
  }));

test('bernoulli and multinomial follow their probabilities', () =>
  tidy(() => {
    const g = new Generator(9);
    const b = bernoulli(tensor(new Array(20_000).fill(0.3)), { generator: g }).toNumbers();
    assert.ok(b.every((v) => v === 0 || v === 1));
    assert.ok(Math.abs(mean(b) - 0.3) < 0.015, `bernoulli rate ${mean(b)}`);
    const m = multinomial(tensor([0.1, 0.2, 0.7]), 20_000, true, { generator: g }).toNumbers();
    [0.1, 0.2, 0.7].forEach((p, k) => assert.ok(Math.abs(m.filter((v) => v === k).length / m.length - p) < 0.015));
    const noRepl = multinomial(tensor([1, 1, 1, 1, 1]), 5, false, { generator: g }).toNumbers();
    assert.deepEqual([...noRepl].sort(), [0, 1, 2, 3, 4]);
  }));

test('manualSeed makes dropout (global generator) reproducible', () =>
  tidy(() => {
    const x = ones([64]);
    manualSeed(11);
    const a = F.dropout(x, 0.5, true).toNumbers();
    manualSeed(11);
    const b = F.dropout(x, 0.5, true).toNumbers();
    assert.deepEqual(a, b);
    assert.notDeepEqual(F.dropout(x, 0.5, true).toNumbers(), a);
  }));

test('seedInit: layers built after the same seed get the same weights', () => {
  seedInit(3);
  const a = new Linear(4, 2);
  seedInit(3);
  const b = new Linear(4, 2);
  const c = new Linear(4, 2);
  assert.deepEqual(a.weight.toNumbers(), b.weight.toNumbers());
  assert.notDeepEqual(b.weight.toNumbers(), c.weight.toNumbers());
  // kaiming-uniform bound 1/√fan_in
  assert.ok(a.weight.toNumbers().every((v) => Math.abs(v) <= 0.5));
  for (const m of [a, b, c]) m.dispose();
});
