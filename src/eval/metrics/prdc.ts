// Precision, recall, density and coverage (Naeem et al. 2020, arXiv:2002.09797;
// reference code clovaai/generative-evaluation-prdc), k = 5 by default.
// With B(x, r) the ball around x whose radius is the distance to x's k-th nearest
// neighbour in its own set (real Rᵢ or fake Fⱼ):
//   precision = 1/M Σⱼ 1[∃i: Fⱼ ∈ B(Rᵢ, rᵢ)]       recall   = 1/N Σᵢ 1[∃j: Rᵢ ∈ B(Fⱼ, r'ⱼ)]
//   density   = 1/(kM) Σⱼ Σᵢ 1[Fⱼ ∈ B(Rᵢ, rᵢ)]     coverage = 1/N Σᵢ 1[minⱼ d(Rᵢ, Fⱼ) < rᵢ]
// Membership is strict (<), as in the reference code. The real–fake distances are
// visited once, in chunks of fake rows, and reduced on the fly (distances.ts says
// why the blocks are not F.cdist).
import { type Tensor, full, noGrad, tidy } from '../../engine/index.js';
import { DistanceTarget } from './distances.js';
import { chunkRows, knnRadii } from './knn.js';

export interface PrdcResult {
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  k: number;
  realCount: number;
  fakeCount: number;
}

export interface PrdcOptions {
  /** Neighbourhood size (Naeem et al. use 5). */
  k?: number;
  /** Rows per distance block (default: ~16M elements per block). */
  chunkSize?: number;
}

/** PRDC between real [N, D] and fake [M, D] features (same dtype; float64 gives exact ties in tests). */
export function prdc(real: Tensor, fake: Tensor, opts: PrdcOptions = {}): PrdcResult {
  const k = opts.k ?? 5;
  const n = real.dim(0);
  const m = fake.dim(0);
  if (real.dim(1) !== fake.dim(1)) throw new RangeError(`prdc: feature dimensions differ (${real.dim(1)} vs ${fake.dim(1)})`);
  const toReal = new DistanceTarget(real);
  try {
    return noGrad(() =>
      tidy(() => {
        const realRadii = knnRadii(real, k, opts.chunkSize ?? chunkRows(n));
        const fakeRadii = knnRadii(fake, k, opts.chunkSize ?? chunkRows(m));
        // Everything below compares squared distances with squared radii (same order, no square roots).
        const realR2 = realRadii.square();
        const fakeR2 = fakeRadii.square();
        const realR2Row = realR2.unsqueeze(0);
        const chunk = opts.chunkSize ?? chunkRows(n);
        // Per real point: nearest fake (squared) distance (coverage) and min over fakes of d² − r'ⱼ² (recall: < 0 means inside some fake ball).
        let nearestFake = full([n], Infinity, { dtype: real.dtype });
        let recallMargin = full([n], Infinity, { dtype: real.dtype });
        let precisionHits = 0;
        let densityHits = 0;
        for (let s = 0; s < m; s += chunk) {
          const len = Math.min(chunk, m - s);
          const [p, d, nf, rm] = tidy(() => {
            const dist = toReal.squaredFrom(fake.narrow(0, s, len)); // [len, N]
            const perFake = dist.lt(realR2Row).to('float32').sum(1); // real balls holding fake j (float sums beat bool → int64)
            const precision = perFake.gt(0).sum().item();
            const density = perFake.to('float64').sum().item(); // exact beyond float32's 2^24
            const nf = nearestFake.minimum(dist.amin(0));
            const rm = recallMargin.minimum(dist.sub(fakeR2.narrow(0, s, len).unsqueeze(1)).amin(0));
            return [precision, density, nf, rm] as const;
          });
          precisionHits += p;
          densityHits += d;
          nearestFake.dispose();
          recallMargin.dispose();
          nearestFake = nf;
          recallMargin = rm;
        }
        const coverage = nearestFake.lt(realR2).sum().item() / n;
        const recall = recallMargin.lt(0).sum().item() / n;
        return { precision: precisionHits / m, recall, density: densityHits / (k * m), coverage, k, realCount: n, fakeCount: m };
      }),
    );
  } finally {
    toReal.dispose();
  }
}
