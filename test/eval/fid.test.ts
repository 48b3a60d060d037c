import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, Generator, type Tensor, undisposedTensorCount, randn, tensor, tidy } from '../../src/engine/index.js';
import { type GaussianStats, fid, frechetDistance, gaussianStats } from '../../src/eval/metrics/fid.js';
import { sqrtmEigh, sqrtmNewtonSchulz, traceSqrtProduct } from '../../src/eval/metrics/matrix-sqrt.js';

const gen = new Generator(7);

/** A random SPD matrix A = XᵀX/m + εI in float64. */
function randomSpd(d: number, m = 3 * d, eps = 0.05): Tensor {
  return tidy(() => {
    const x = randn([m, d], { generator: gen, dtype: 'float64' });
    return x.T.matmul(x).div(m).add(tensor(Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? eps : 0)), [d, d], { dtype: 'float64' }));
  });
}

/** A random orthogonal matrix: eigenvectors of a random symmetric one. */
function randomOrthogonal(d: number): Tensor {
  return tidy(() => F.eigh(randomSpd(d))[1]);
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  return tidy(() => a.sub(b).abs().amax().item());
}

test('FID of a feature set with itself is 0', () => {
  const before = undisposedTensorCount();
  const x = randn([600, 24], { generator: gen });
  const v = fid(x, x);
  assert.ok(Math.abs(v) < 1e-8, `FID(x, x) = ${v}`);
  x.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('Fréchet distance of two Gaussians matches the closed form (commuting covariances)', () => {
  // Σ₁ = Q D₁ Qᵀ and Σ₂ = Q D₂ Qᵀ share eigenvectors, so Tr √(Σ₁Σ₂) = Σ √(d₁ᵢ d₂ᵢ) and
  // FID = ‖μ₁ − μ₂‖² + Σᵢ (√d₁ᵢ − √d₂ᵢ)², computed here without any matrix square root.
  const d = 16;
  const d1 = Array.from({ length: d }, (_, i) => 0.2 + 0.3 * i);
  const d2 = Array.from({ length: d }, (_, i) => 4 / (1 + i));
  const mu1 = Float64Array.from({ length: d }, (_, i) => Math.sin(i));
  const mu2 = Float64Array.from({ length: d }, (_, i) => Math.cos(i) * 0.5);
  const stats = tidy(() => {
    const q = randomOrthogonal(d);
    const make = (diag: number[], mean: Float64Array): GaussianStats => ({
      dim: d,
      count: 1000,
      mean,
      cov: q.mul(tensor(diag, [1, d], { dtype: 'float64' })).matmul(q.T).toFloat64Array(),
    });
    return [make(d1, mu1), make(d2, mu2)] as const;
  });
  let expected = 0;
  for (let i = 0; i < d; i++) expected += (mu1[i]! - mu2[i]!) ** 2 + (Math.sqrt(d1[i]!) - Math.sqrt(d2[i]!)) ** 2;
  const got = frechetDistance(stats[0], stats[1]);
  assert.ok(Math.abs(got - expected) < 1e-9 * Math.max(1, expected), `FID ${got} vs closed form ${expected}`);
});

test('FID from samples approaches the closed form for diagonal Gaussians', () => {
  const d = 8;
  const n = 20000;
  const s1 = Array.from({ length: d }, (_, i) => 1 + 0.1 * i);
  const s2 = Array.from({ length: d }, (_, i) => 0.5 + 0.2 * i);
  const shift = 0.3;
  const [a, b] = tidy(() => [
    randn([n, d], { generator: gen, dtype: 'float64' }).mul(tensor(s1.map(Math.sqrt), [1, d], { dtype: 'float64' })),
    randn([n, d], { generator: gen, dtype: 'float64' }).mul(tensor(s2.map(Math.sqrt), [1, d], { dtype: 'float64' })).add(shift),
  ]);
  let expected = d * shift * shift;
  for (let i = 0; i < d; i++) expected += s1[i]! + s2[i]! - 2 * Math.sqrt(s1[i]! * s2[i]!);
  const got = fid(a!, b!);
  assert.ok(Math.abs(got - expected) < 0.03, `sample FID ${got} vs ${expected}`);
  a!.dispose();
  b!.dispose();
});

test('the eigen square root agrees with a Newton–Schulz iteration and squares back', () => {
  tidy(() => {
    const a = randomSpd(32);
    const viaEigh = sqrtmEigh(a);
    const viaNs = sqrtmNewtonSchulz(a);
    assert.ok(maxAbsDiff(viaEigh, viaNs) < 1e-9, `eigh vs Newton–Schulz differ by ${maxAbsDiff(viaEigh, viaNs)}`);
    assert.ok(maxAbsDiff(viaEigh.matmul(viaEigh), a) < 1e-10);
  });
});

test('Tr √(Σ₁Σ₂) via the symmetric form matches Newton–Schulz on the non-symmetric product', () => {
  tidy(() => {
    const s1 = randomSpd(20);
    const s2 = randomSpd(20);
    const viaEigen = traceSqrtProduct(s1, s2);
    // Σ₁Σ₂ has positive real eigenvalues, so the coupled iteration converges on it directly.
    const ns = sqrtmNewtonSchulz(s1.matmul(s2), 80);
    const viaNs = ns.diag().sum().item();
    assert.ok(Math.abs(viaEigen - viaNs) < 1e-8 * viaNs, `${viaEigen} vs ${viaNs}`);
  });
});

test('gaussianStats matches a direct float64 computation', () => {
  const data = [1, 2, 3, 5, 2, 2, 0, 1, 4];
  const x = tensor(data, [3, 3]);
  const s = gaussianStats(x);
  x.dispose();
  const cols = [0, 1, 2].map((j) => [0, 1, 2].map((i) => data[i * 3 + j]!));
  const means = cols.map((c) => c.reduce((a, b) => a + b, 0) / 3);
  assert.deepEqual(Array.from(s.mean), means);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      const cov = cols[i]!.reduce((acc, v, k) => acc + (v - means[i]!) * (cols[j]![k]! - means[j]!), 0) / 2;
      assert.ok(Math.abs(s.cov[i * 3 + j]! - cov) < 1e-12);
    }
});
