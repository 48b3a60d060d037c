// The ε-prediction training loss (Ho et al.): L = ‖ε − ε_θ(√ᾱ_t x_0 + √(1−ᾱ_t) ε, t, c)‖²,
// averaged over pixels per sample. Per-sample values are returned so reward-weighted
// training can weight them (Sun et al.'s RWL) before averaging.
import { type Generator, type Tensor, randint, randn, tidy } from '../engine/index.js';
import type { ConditionTokens } from '../models/conditions/condition-encoder.js';
import type { EpsilonModel } from './denoiser.js';
import { type NoiseSchedule, qSample, timestepTensor, vTarget } from './schedule.js';

export interface DiffusionLossResult {
  /** Mean over the batch: the scalar to backpropagate. */
  loss: Tensor;
  /** [B]: each sample's mean squared error over C·H·W. */
  perSample: Tensor;
}

/** Uniform timesteps in [0, T) drawn from `generator`. */
export function sampleTimesteps(batch: number, T: number, generator?: Generator): number[] {
  return tidy(() => randint(0, T, [batch], generator ? { generator } : {}).toNumbers());
}

export interface DiffusionLossOptions {
  /** Timesteps per sample (default: uniform from `generator`). */
  timesteps?: number[];
  /** ε (default: standard normal from `generator`). */
  noise?: Tensor;
  generator?: Generator;
}

export function diffusionLoss(model: EpsilonModel, schedule: NoiseSchedule, xStart: Tensor, cond: ConditionTokens, opts: DiffusionLossOptions = {}): DiffusionLossResult {
  return tidy(() => {
    const b = xStart.dim(0);
    const timesteps = opts.timesteps ?? sampleTimesteps(b, schedule.numTimesteps, opts.generator);
    const noise = opts.noise ?? randn(xStart.shape, opts.generator ? { generator: opts.generator } : {});
    const xT = qSample(schedule, xStart, timesteps, noise);
    // a v-model is trained on ‖v̂ − v‖² (= ‖ε̂ − ε‖² / ᾱ_t): the same minimiser, taken where it is well conditioned
    const perSample =
      model.prediction === 'v'
        ? rawOutput(model, xT, timestepTensor(timesteps), cond).sub(vTarget(schedule, xStart, timesteps, noise)).square().mean([1, 2, 3])
        : model.predictEpsilon(xT, timestepTensor(timesteps), cond).sub(noise).square().mean([1, 2, 3]);
    return { loss: perSample.mean(), perSample };
  });
}

function rawOutput(model: EpsilonModel, x: Tensor, t: Tensor, cond: ConditionTokens): Tensor {
  if (!model.predictOutput) throw new Error('a v-prediction model must expose predictOutput (its raw v̂) for the loss');
  return model.predictOutput(x, t, cond);
}
