// The Gaussian diffusion's noise schedule and closed-form marginals, named as in
// openai/improved-diffusion (betas, alphas_cumprod, q_sample, …) in camelCase.
// Coefficients are float64 arrays in JS; they become per-sample [B,1,1,1] float32
// tensors only where they multiply images.
import { type Tensor, tensor, tidy } from '../engine/index.js';

export type BetaScheduleKind = 'linear' | 'cosine';

export interface ScheduleConfig {
  kind: BetaScheduleKind;
  /** T, the number of diffusion steps (1000 by default). */
  numTimesteps: number;
}

export interface NoiseSchedule {
  config: ScheduleConfig;
  numTimesteps: number;
  betas: Float64Array;
  alphas: Float64Array;
  alphasCumprod: Float64Array;
  /** ᾱ_{t−1}, with ᾱ_{−1} = 1. */
  alphasCumprodPrev: Float64Array;
  sqrtAlphasCumprod: Float64Array;
  sqrtOneMinusAlphasCumprod: Float64Array;
  sqrtRecipAlphasCumprod: Float64Array;
  sqrtRecipm1AlphasCumprod: Float64Array;
  /** β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t): the variance of q(x_{t−1} | x_t, x_0). */
  posteriorVariance: Float64Array;
  posteriorMeanCoef1: Float64Array;
  posteriorMeanCoef2: Float64Array;
}

export const DEFAULT_SCHEDULE: ScheduleConfig = { kind: 'linear', numTimesteps: 1000 };

/** Ho et al.'s linear betas (1e-4 → 0.02 at T = 1000, rescaled for other T) or Nichol & Dhariwal's cosine betas. */
export function betaSchedule(kind: BetaScheduleKind, T: number): Float64Array {
  const betas = new Float64Array(T);
  if (kind === 'linear') {
    const scale = 1000 / T;
    const start = scale * 1e-4;
    const end = scale * 0.02;
    for (let i = 0; i < T; i++) betas[i] = T === 1 ? start : start + ((end - start) * i) / (T - 1);
  } else if (kind === 'cosine') {
    const s = 0.008;
    const alphaBar = (u: number) => Math.cos(((u + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    for (let i = 0; i < T; i++) betas[i] = Math.min(1 - alphaBar((i + 1) / T) / alphaBar(i / T), 0.999);
  } else {
    throw new Error(`unknown beta schedule '${kind as string}' (expected linear or cosine)`);
  }
  return betas;
}

export function createSchedule(config: Partial<ScheduleConfig> = {}): NoiseSchedule {
  const cfg: ScheduleConfig = { ...DEFAULT_SCHEDULE, ...config };
  const T = cfg.numTimesteps;
  const betas = betaSchedule(cfg.kind, T);
  const f = () => new Float64Array(T);
  const s: NoiseSchedule = {
    config: cfg,
    numTimesteps: T,
    betas,
    alphas: f(),
    alphasCumprod: f(),
    alphasCumprodPrev: f(),
    sqrtAlphasCumprod: f(),
    sqrtOneMinusAlphasCumprod: f(),
    sqrtRecipAlphasCumprod: f(),
    sqrtRecipm1AlphasCumprod: f(),
    posteriorVariance: f(),
    posteriorMeanCoef1: f(),
    posteriorMeanCoef2: f(),
  };
  let prod = 1;
  for (let t = 0; t < T; t++) {
    const alpha = 1 - betas[t]!;
    s.alphas[t] = alpha;
    s.alphasCumprodPrev[t] = prod;
    prod *= alpha;
    s.alphasCumprod[t] = prod;
    s.sqrtAlphasCumprod[t] = Math.sqrt(prod);
    s.sqrtOneMinusAlphasCumprod[t] = Math.sqrt(1 - prod);
    s.sqrtRecipAlphasCumprod[t] = Math.sqrt(1 / prod);
    s.sqrtRecipm1AlphasCumprod[t] = Math.sqrt(1 / prod - 1);
    const prev = s.alphasCumprodPrev[t]!;
    s.posteriorVariance[t] = (betas[t]! * (1 - prev)) / (1 - prod);
    s.posteriorMeanCoef1[t] = (betas[t]! * Math.sqrt(prev)) / (1 - prod);
    s.posteriorMeanCoef2[t] = ((1 - prev) * Math.sqrt(alpha)) / (1 - prod);
  }
  return s;
}

/** `values[t_b]` for each sample as a [B, 1, 1, 1] float32 tensor (improved-diffusion's `_extract_into_tensor`). */
export function extract(values: Float64Array, timesteps: ReadonlyArray<number>): Tensor {
  return tensor(Float32Array.from(timesteps, (t) => values[t]!), [timesteps.length, 1, 1, 1]);
}

/** Samples x_t ~ q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I), given the noise ε. */
export function qSample(s: NoiseSchedule, xStart: Tensor, timesteps: ReadonlyArray<number>, noise: Tensor): Tensor {
  return tidy(() => xStart.mul(extract(s.sqrtAlphasCumprod, timesteps)).add(noise.mul(extract(s.sqrtOneMinusAlphasCumprod, timesteps))));
}

/** x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t. */
export function predictXStartFromEps(s: NoiseSchedule, xT: Tensor, timesteps: ReadonlyArray<number>, eps: Tensor): Tensor {
  return tidy(() => xT.mul(extract(s.sqrtRecipAlphasCumprod, timesteps)).sub(eps.mul(extract(s.sqrtRecipm1AlphasCumprod, timesteps))));
}

/**
 * The v-parameterisation (Salimans & Ho 2022): v = √ᾱ_t ε − √(1 − ᾱ_t) x_0, the target a
 * v-prediction network learns. Unlike ε it stays informative where ᾱ_t → 0: there
 * x̂_0 = √ᾱ_t x_t − √(1 − ᾱ_t) v̂ ≈ −v̂, while from ε̂ it is (x_t − √(1 − ᾱ_t) ε̂)/√ᾱ_t,
 * whose error is the ε error times 1/√ᾱ_t (2 × 10⁴ at the cosine schedule's last step).
 */
export function vTarget(s: NoiseSchedule, xStart: Tensor, timesteps: ReadonlyArray<number>, noise: Tensor): Tensor {
  return tidy(() => noise.mul(extract(s.sqrtAlphasCumprod, timesteps)).sub(xStart.mul(extract(s.sqrtOneMinusAlphasCumprod, timesteps))));
}

/** ε̂ = √(1 − ᾱ_t) x_t + √ᾱ_t v̂: a v-prediction network's output as the ε the samplers take. */
export function epsFromV(s: NoiseSchedule, xT: Tensor, timesteps: ReadonlyArray<number>, v: Tensor): Tensor {
  return tidy(() => xT.mul(extract(s.sqrtOneMinusAlphasCumprod, timesteps)).add(v.mul(extract(s.sqrtAlphasCumprod, timesteps))));
}

/** Mean and variance of the posterior q(x_{t−1} | x_t, x_0). */
export function qPosteriorMeanVariance(s: NoiseSchedule, xStart: Tensor, xT: Tensor, timesteps: ReadonlyArray<number>): { mean: Tensor; variance: Tensor } {
  return tidy(() => ({
    mean: xStart.mul(extract(s.posteriorMeanCoef1, timesteps)).add(xT.mul(extract(s.posteriorMeanCoef2, timesteps))),
    variance: extract(s.posteriorVariance, timesteps),
  }));
}

/** The model's timestep input: t as a float32 [B] tensor. */
export function timestepTensor(timesteps: ReadonlyArray<number>): Tensor {
  return tensor(Float32Array.from(timesteps), [timesteps.length]);
}
