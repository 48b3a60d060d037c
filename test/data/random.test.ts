// The data module's seeded PRNG.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveSeed, normal, seededRandom, shuffled } from '../../src/data/random.js';

describe('random', () => {
  it('is reproducible per seed and uniform on [0, 1)', () => {
    const a = seededRandom(123);
    const b = seededRandom(123);
    const xs = Array.from({ length: 20000 }, () => a());
    assert.deepEqual(Array.from({ length: 20000 }, () => b()), xs);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
    assert.notEqual(seededRandom(124)(), seededRandom(123)());
  });

  it('normal draws have mean 0 and variance 1', () => {
    const r = seededRandom(9);
    const xs = Array.from({ length: 40000 }, () => normal(r));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    assert.ok(Math.abs(mean) < 0.02 && Math.abs(variance - 1) < 0.03, `mean ${mean}, var ${variance}`);
  });

  it('deriveSeed separates labels; shuffled permutes without mutating', () => {
    assert.notEqual(deriveSeed(1, 'a'), deriveSeed(1, 'b'));
    assert.notEqual(deriveSeed(1, 'a'), deriveSeed(2, 'a'));
    assert.equal(deriveSeed(1, 'a', 3), deriveSeed(1, 'a', 3));
    const items = [1, 2, 3, 4, 5, 6];
    const s = shuffled(items, seededRandom(1));
    assert.deepEqual(items, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...s].sort(), items);
  });
});
