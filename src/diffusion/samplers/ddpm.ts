// DDPM ancestral sampling (Ho et al.; improved-diffusion's p_sample loop) on a
// respaced schedule: with S of the T steps, β'_i = 1 − ᾱ_{t_i}/ᾱ_{t_{i+1}} and
// x_prev ~ q(x_prev | x_t, x̂₀) = N(μ̃, β̃'), the true posterior given the predicted x̂₀.
// The last step (to t = −1, ᾱ = 1) adds no noise and returns x̂₀.
import { type Generator, type Tensor, noGrad, randn, tidy } from '../../engine/index.js';
import { type EpsilonModel, type Guidance, guidedEpsilon } from '../denoiser.js';
import type { NoiseSchedule } from '../schedule.js';
import { samplingTimesteps } from './timesteps.js';

export interface DdpmSampleOptions {
  /** Steps (default T: the full ancestral chain). */
  steps?: number;
  guidance: Guidance;
  generator?: Generator;
  shape?: number[];
  xT?: Tensor;
  clipDenoised?: boolean;
}

/** Posterior mean and variance of the respaced step t → tPrev given ε̂ (pure). */
export function ddpmPosterior(s: NoiseSchedule, eps: Tensor, t: number, tPrev: number, xT: Tensor, clipDenoised = true): { mean: Tensor; variance: number; predXStart: Tensor } {
  const alphaBar = s.alphasCumprod[t]!;
  const alphaBarPrev = tPrev >= 0 ? s.alphasCumprod[tPrev]! : 1;
  const beta = 1 - alphaBar / alphaBarPrev;
  return tidy(() => {
    let predXStart = xT.sub(eps.mul(Math.sqrt(1 - alphaBar))).div(Math.sqrt(alphaBar));
    if (clipDenoised) predXStart = predXStart.clamp(-1, 1);
    const coef1 = (beta * Math.sqrt(alphaBarPrev)) / (1 - alphaBar);
    const coef2 = ((1 - alphaBarPrev) * Math.sqrt(1 - beta)) / (1 - alphaBar);
    const mean = predXStart.mul(coef1).add(xT.mul(coef2));
    return { mean, variance: (beta * (1 - alphaBarPrev)) / (1 - alphaBar), predXStart };
  });
}

export function ddpmSample(model: EpsilonModel, s: NoiseSchedule, opts: DdpmSampleOptions): Tensor {
  const { timesteps, prevTimesteps } = samplingTimesteps(s.numTimesteps, opts.steps ?? s.numTimesteps);
  const gen = opts.generator ? { generator: opts.generator } : {};
  return noGrad(() =>
    tidy(() => {
      if (!opts.xT && !opts.shape) throw new Error('ddpmSample needs shape or xT');
      let x = opts.xT ? opts.xT.clone() : randn(opts.shape!, gen);
      for (let i = 0; i < timesteps.length; i++) {
        const prev = x;
        x = tidy(() => {
          const eps = guidedEpsilon(model, prev, timesteps[i]!, opts.guidance);
          const p = ddpmPosterior(s, eps, timesteps[i]!, prevTimesteps[i]!, prev, opts.clipDenoised ?? true);
          return p.variance > 0 ? p.mean.add(randn(prev.shape, gen).mul(Math.sqrt(p.variance))) : p.mean;
        });
        prev.dispose();
      }
      return x;
    }),
  );
}
