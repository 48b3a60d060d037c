// Square roots of symmetric positive semi-definite matrices, for the Fréchet
// distance. The eigen route is what FID uses; Newton–Schulz is an independent
// iteration kept to check it (and as a fallback where eigh is unavailable).
import { F, type Tensor, eye, noGrad, tidy } from '../../engine/index.js';

/** Symmetrises `(a + aᵀ)/2`: round-off leaves products like √A B √A slightly asymmetric. */
export function symmetrize(a: Tensor): Tensor {
  return tidy(() => a.add(a.T).mul(0.5));
}

/**
 * √A for symmetric PSD A via A = V diag(λ) Vᵀ → V diag(√max(λ,0)) Vᵀ.
 * Eigenvalues that round-off pushed below zero are clamped (A is PSD by construction).
 */
export function sqrtmEigh(a: Tensor): Tensor {
  return noGrad(() =>
    tidy(() => {
      const [values, vectors] = F.eigh(symmetrize(a));
      return vectors.mul(values.clamp(0).sqrt().unsqueeze(0)).matmul(vectors.T);
    }),
  );
}

/**
 * √A by the coupled Newton–Schulz iteration (Higham 2008, eq. 6.35) on A/‖A‖_F:
 * Y₀ = A/s, Z₀ = I, T = (3I − Z Y)/2, Y ← Y T, Z ← T Z; √A = √s · Y.
 * Converges quadratically for SPD A; singular A converges slowly (√ of tiny eigenvalues).
 */
export function sqrtmNewtonSchulz(a: Tensor, iterations = 60): Tensor {
  return noGrad(() =>
    tidy(() => {
      const n = a.dim(0);
      const s = a.norm().item();
      if (s === 0) return a.mul(0);
      const id = eye(n, { dtype: a.dtype });
      let y = a.div(s);
      let z = id.clone();
      for (let i = 0; i < iterations; i++) {
        const [ny, nz] = tidy(() => {
          const t = id.mul(3).sub(z.matmul(y)).mul(0.5);
          return [y.matmul(t), t.matmul(z)];
        });
        y.dispose();
        z.dispose();
        y = ny!;
        z = nz!;
      }
      return y.mul(Math.sqrt(s));
    }),
  );
}

/**
 * Tr √(Σ₁ Σ₂) without forming the non-symmetric product: Σ₁Σ₂ is similar to the
 * symmetric PSD M = √Σ₁ Σ₂ √Σ₁ (same eigenvalues), so Tr √(Σ₁Σ₂) = Σᵢ √λᵢ(M).
 */
export function traceSqrtProduct(sigma1: Tensor, sigma2: Tensor): number {
  return noGrad(() =>
    tidy(() => {
      const r1 = sqrtmEigh(sigma1);
      const m = symmetrize(r1.matmul(sigma2).matmul(r1));
      const [values] = F.eigh(m);
      return values.clamp(0).sqrt().sum().item();
    }),
  );
}
