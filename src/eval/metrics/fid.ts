// Fréchet distance between Gaussians fitted to two feature sets (Heusel et al.
// 2017): ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2}). Means and covariances are in
// float64 (float32 covariance of 10k × 128 features loses ~3 digits in the trace
// difference, which is the size of a good model's FID). The trace of the matrix
// root comes from the eigenvalues of the symmetric √Σ₁ Σ₂ √Σ₁ (DESIGN §4).
import { type Tensor, noGrad, tensor, tidy } from '../../engine/index.js';
import { traceSqrtProduct } from './matrix-sqrt.js';

/** Mean and covariance of a feature set: plain arrays, so real-data statistics can be cached as JSON. */
export interface GaussianStats {
  dim: number;
  count: number;
  mean: Float64Array;
  /** Row-major dim × dim, unbiased (divided by count − 1). */
  cov: Float64Array;
}

export class FeatureShapeError extends Error {
  override name = 'FeatureShapeError';
}

/** Mean and unbiased covariance of `features` [N, D] (any float dtype; computed in float64). */
export function gaussianStats(features: Tensor): GaussianStats {
  if (features.ndim !== 2) throw new FeatureShapeError(`features must be [N, D], got [${features.shape.join(', ')}]`);
  const [n, d] = features.shape as [number, number];
  if (n < 2) throw new FeatureShapeError(`need at least 2 feature vectors for a covariance, got ${n}`);
  return noGrad(() =>
    tidy(() => {
      const x = features.to('float64');
      const mu = x.mean(0, true);
      const c = x.sub(mu);
      const cov = c.T.matmul(c).div(n - 1);
      return { dim: d, count: n, mean: mu.toFloat64Array(), cov: cov.toFloat64Array() };
    }),
  );
}

/** Fréchet distance between two Gaussians given by their statistics. */
export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  if (a.dim !== b.dim) throw new FeatureShapeError(`feature dimensions differ: ${a.dim} vs ${b.dim}`);
  const d = a.dim;
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
  let trace = 0;
  for (let i = 0; i < d; i++) trace += a.cov[i * d + i]! + b.cov[i * d + i]!;
  const trSqrt = tidy(() => traceSqrtProduct(tensor(a.cov, [d, d], { dtype: 'float64' }), tensor(b.cov, [d, d], { dtype: 'float64' })));
  // Round-off can leave a tiny negative value for identical sets.
  return Math.max(0, meanTerm + trace - 2 * trSqrt);
}

/** FID between two feature sets [N, D] / [M, D] (or precomputed statistics). */
export function fid(real: Tensor | GaussianStats, fake: Tensor | GaussianStats): number {
  const a = isStats(real) ? real : gaussianStats(real);
  const b = isStats(fake) ? fake : gaussianStats(fake);
  return frechetDistance(a, b);
}

function isStats(v: Tensor | GaussianStats): v is GaussianStats {
  return (v as GaussianStats).cov instanceof Float64Array;
}
