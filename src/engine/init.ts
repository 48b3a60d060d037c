// Parameter initialisation as PyTorch's layers do it by default, drawn from a
// seeded generator so a model built with the same seed has the same weights.
import { Generator, rand, randn } from './random.js';
import type { Tensor } from './tensor.js';
import { tidy } from './scope.js';

let initGenerator = new Generator(0);

/** Reseeds the generator that layer constructors draw their initial weights from. */
export function seedInit(seed: number): void {
  initGenerator = new Generator(seed);
}

/** Uniform(−bound, bound). */
export function uniform(shape: number[], bound: number, generator: Generator = initGenerator): Tensor {
  return tidy(() => rand(shape, { generator }).mul(2 * bound).sub(bound));
}

/** kaiming_uniform(a=√5) for weights and 1/√fan_in for biases: PyTorch's Linear/Conv default. */
export function defaultWeightBound(fanIn: number): number {
  return 1 / Math.sqrt(fanIn);
}

/** N(0, std²). */
export function normal(shape: number[], std: number, generator: Generator = initGenerator): Tensor {
  return tidy(() => randn(shape, { generator }).mul(std));
}
