// DDIM (Song et al.) with η ∈ [0, 1] and per-step log-probabilities, following DESIGN §4
// and kvablack/ddpo-pytorch's ddim_with_logprob.py:
//   x̂₀ = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t            (clipped to [−1, 1], ε̂ recomputed from it)
//   σ_t = η √((1−ᾱ_prev)/(1−ᾱ_t)) √(1 − ᾱ_t/ᾱ_prev)
//   μ   = √ᾱ_prev x̂₀ + √(1 − ᾱ_prev − σ_t²) ε̂
//   x_prev = μ + σ_t ξ,   log p(x_prev | x_t) = mean over pixels of log N(x_prev; μ, σ_t²)
// After the last step (prev = −1) ᾱ_prev = ᾱ_0, as ddpo-pytorch's scheduler
// (set_alpha_to_one = False), which keeps σ > 0 and so every step's density finite.
// The step function is pure in (ε̂, t, x_t); sampling loops and the log-prob of a
// given x_prev under the current weights (for DDPO) are built on it.
import { type Generator, type Tensor, noGrad, randn, stack, tidy } from '../../engine/index.js';
import { type EpsilonModel, type Guidance, guidedEpsilon } from '../denoiser.js';
import type { NoiseSchedule } from '../schedule.js';
import { samplingTimesteps } from './timesteps.js';

export interface DdimStepOptions {
  /** 0 = deterministic DDIM, 1 = DDPM-like ancestral noise. */
  eta: number;
  /** Clip x̂₀ to [−1, 1] (default true; pixel models are trained on [−1, 1]). */
  clipDenoised?: boolean;
}

export interface DdimCoefficients {
  alphaBar: number;
  alphaBarPrev: number;
  /** σ_t */
  std: number;
}

export function ddimCoefficients(s: NoiseSchedule, t: number, tPrev: number, eta: number): DdimCoefficients {
  if (eta < 0 || eta > 1) throw new RangeError(`DDIM eta must be in [0, 1], got ${eta}`);
  const alphaBar = s.alphasCumprod[t]!;
  const alphaBarPrev = tPrev >= 0 ? s.alphasCumprod[tPrev]! : s.alphasCumprod[0]!;
  const variance = ((1 - alphaBarPrev) / (1 - alphaBar)) * (1 - alphaBar / alphaBarPrev);
  return { alphaBar, alphaBarPrev, std: eta * Math.sqrt(Math.max(variance, 0)) };
}

export interface DdimMean {
  /** μ [B, C, H, W] */
  mean: Tensor;
  predXStart: Tensor;
  std: number;
}

/** μ and σ of p(x_prev | x_t) from the model's ε̂ (pure: no randomness, no model call). */
export function ddimMean(s: NoiseSchedule, eps: Tensor, t: number, tPrev: number, xT: Tensor, opts: DdimStepOptions): DdimMean {
  const { alphaBar, alphaBarPrev, std } = ddimCoefficients(s, t, tPrev, opts.eta);
  return tidy(() => {
    let predXStart = xT.sub(eps.mul(Math.sqrt(1 - alphaBar))).div(Math.sqrt(alphaBar));
    let epsUsed = eps;
    if (opts.clipDenoised ?? true) {
      predXStart = predXStart.clamp(-1, 1);
      epsUsed = xT.sub(predXStart.mul(Math.sqrt(alphaBar))).div(Math.sqrt(1 - alphaBar));
    }
    const dirCoef = Math.sqrt(Math.max(1 - alphaBarPrev - std * std, 0));
    const mean = predXStart.mul(Math.sqrt(alphaBarPrev)).add(epsUsed.mul(dirCoef));
    return { mean, predXStart, std };
  });
}

/** log N(x; μ, σ²I) averaged over all but the batch dim → [B] (ddpo-pytorch's per-step log-prob). */
export function gaussianLogProb(x: Tensor, mean: Tensor, std: number): Tensor {
  if (!(std > 0)) throw new RangeError('a step log-probability needs σ_t > 0 (use eta > 0)');
  return tidy(() => {
    const dims = Array.from({ length: x.ndim - 1 }, (_, i) => i + 1);
    return x
      .detach()
      .sub(mean)
      .square()
      .mul(-1 / (2 * std * std))
      .sub(Math.log(std) + 0.5 * Math.log(2 * Math.PI))
      .mean(dims);
  });
}

export interface DdimStepResult extends DdimMean {
  prevSample: Tensor;
  /** [B]; present when σ_t > 0. */
  logProb?: Tensor;
}

/** One DDIM step from ε̂: draws x_prev = μ + σ ξ (ξ from `generator`), or scores a given `prevSample`. */
export function ddimStep(
  s: NoiseSchedule,
  eps: Tensor,
  t: number,
  tPrev: number,
  xT: Tensor,
  opts: DdimStepOptions & { generator?: Generator; prevSample?: Tensor },
): DdimStepResult {
  return tidy(() => {
    const m = ddimMean(s, eps, t, tPrev, xT, opts);
    const prevSample = opts.prevSample ?? (m.std > 0 ? m.mean.add(randn(xT.shape, opts.generator ? { generator: opts.generator } : {}).mul(m.std)) : m.mean);
    return { ...m, prevSample, ...(m.std > 0 ? { logProb: gaussianLogProb(prevSample, m.mean, m.std) } : {}) };
  });
}

export interface DdimSampleOptions extends DdimStepOptions {
  steps: number;
  guidance: Guidance;
  /** Noise source for x_T and every step's ξ. */
  generator?: Generator;
  /** Start from this x_T instead of drawing it. */
  xT?: Tensor;
  /** Image shape [B, C, H, W] (needed unless xT is given). */
  shape?: number[];
  /** Keep every x_t (x_T first, x_0 last) and the per-step log-probs. */
  trajectory?: boolean;
}

export interface DdimSampleResult {
  /** x_0 (the last x_prev), [B, C, H, W] in the model's range (≈[−1, 1]). */
  sample: Tensor;
  /** The S visited timesteps, descending. */
  timesteps: number[];
  /** Where each step went (−1 after the last): the `tPrev` that `ddimStepLogProb` takes. */
  prevTimesteps: number[];
  /** The S + 1 latents x_T … x_0 (with `trajectory`). */
  latents?: Tensor[];
  /** [B, S] log p(x_{t_{i+1}} | x_{t_i}) (with `trajectory` and η > 0). */
  logProbs?: Tensor;
}

/** DDIM sampling without gradients; returns the trajectory and per-step log-probs on request. */
export function ddimSample(model: EpsilonModel, s: NoiseSchedule, opts: DdimSampleOptions): DdimSampleResult {
  const { timesteps, prevTimesteps } = samplingTimesteps(s.numTimesteps, opts.steps);
  return noGrad(() =>
    tidy(() => {
      const gen = opts.generator ? { generator: opts.generator } : {};
      let x = opts.xT ? opts.xT.clone() : randn(opts.shape ?? raise('ddimSample needs shape or xT'), gen);
      const latents: Tensor[] = opts.trajectory ? [x] : [];
      const logProbs: Tensor[] = [];
      for (let i = 0; i < timesteps.length; i++) {
        const prev = x;
        const step = tidy(() => {
          const eps = guidedEpsilon(model, prev, timesteps[i]!, opts.guidance);
          const r = ddimStep(s, eps, timesteps[i]!, prevTimesteps[i]!, prev, { ...opts, ...(opts.generator ? { generator: opts.generator } : {}) });
          return { prevSample: r.prevSample, logProb: r.logProb };
        });
        x = step.prevSample;
        if (opts.trajectory) {
          latents.push(x);
          if (step.logProb) logProbs.push(step.logProb);
        } else {
          prev.dispose();
          step.logProb?.dispose();
        }
      }
      const out: DdimSampleResult = { sample: x, timesteps, prevTimesteps };
      if (opts.trajectory) {
        out.latents = latents;
        if (logProbs.length === timesteps.length) out.logProbs = stack(logProbs, 1);
      }
      return out;
    }),
  );
}

function raise(msg: string): never {
  throw new Error(msg);
}

export interface DdimLogProbOptions extends DdimStepOptions {
  /** The timestep x_prev belongs to (−1 after the last step): from `samplingTimesteps(...).prevTimesteps`. */
  tPrev: number;
}

/**
 * log p_θ(x_prev | x_t, c) of a GIVEN x_prev under the current weights, with
 * gradients to the model (and to condition tokens): what DDPO's ratio needs.
 * Returns [B] log-probs plus μ and σ for diagnostics.
 */
export function ddimStepLogProb(model: EpsilonModel, s: NoiseSchedule, xT: Tensor, t: number, xPrev: Tensor, guidance: Guidance, opts: DdimLogProbOptions): { logProb: Tensor; mean: Tensor; std: number } {
  return tidy(() => {
    const eps = guidedEpsilon(model, xT, t, guidance);
    const m = ddimMean(s, eps, t, opts.tPrev, xT, opts);
    return { logProb: gaussianLogProb(xPrev, m.mean, m.std), mean: m.mean, std: m.std };
  });
}
