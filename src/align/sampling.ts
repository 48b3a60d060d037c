// Trajectories for policy gradients: run the policy's reverse steps from x_T and
// keep every x_t and log p(x_{t−1} | x_t, c) under the weights that drew them.
// Initial noise and per-step noise come from one seeded Generator, so a run is
// reproducible; the anchor passes the policy's x_T and draws its own step noise.
import { type Generator, type Tensor, noGrad, randn, stack, tensor, tidy } from '../engine/index.js';
import { type DiffusionPolicy, type StepOptions, gaussianLogProb } from './policy.js';

export interface Trajectory {
  conditions: string[];
  /** x_T, …, x_0: [S+1, B, C, H, W]. */
  latents: Tensor;
  /** log p of each step's draw: [S, B]. */
  logProbs: Tensor;
  /** x_0 in [−1, 1]: [B, C, H, W]. */
  images: Tensor;
}

/** Samples a batch with per-step log-probabilities (no gradients), from `initial` x_T when given (else drawn first). */
export function sampleTrajectory(policy: DiffusionPolicy, conditions: readonly string[], opts: StepOptions, generator: Generator, initial?: Tensor): Trajectory {
  return noGrad(() =>
    tidy(() => {
      const b = conditions.length;
      let x = initial ? initial.clone() : randn([b, ...policy.imageShape], { generator });
      const latents: Tensor[] = [x];
      const logProbs: Tensor[] = [];
      for (let s = 0; s < opts.steps; s++) {
        const step = new Array<number>(b).fill(s);
        const { next, logp } = tidy(() => {
          const { mean, std } = policy.stepDistribution(x, step, conditions, opts);
          const draw = mean.add(randn(mean.shape, { generator }).mul(std));
          return { next: draw, logp: gaussianLogProb(draw, mean, std) };
        });
        x = next;
        latents.push(x);
        logProbs.push(logp);
      }
      return { conditions: [...conditions], latents: stack(latents, 0), logProbs: stack(logProbs, 0), images: x.clone() };
    }),
  );
}

/** Rows of `latents` [S+1, B, …] at (step[i], sample[i]) → [n, C, H, W]. */
export function gatherSteps(latents: Tensor, steps: readonly number[], samples: readonly number[]): Tensor {
  return tidy(() => {
    const [, b] = latents.shape as [number, number];
    const flat = latents.flatten(0, 1);
    const idx = BigInt64Array.from(steps, (s, i) => BigInt(s * b + samples[i]!));
    return flat.indexSelect(0, tensor(idx, [idx.length], { dtype: 'int64' }));
  });
}
