// Seeded random numbers. Draws run on a CPU generator and then move to the
// target device, so a seed gives the same numbers on CPU and CUDA.
import type { Device, DType } from './dtype.js';
import { type NativeGenerator, native } from './native.js';
import { type Tensor, wrap } from './tensor.js';

const ops = native.ops;

export class Generator {
  readonly native: NativeGenerator;
  constructor(readonly seed: number) {
    this.native = new native.Generator(seed);
  }
  /** The generator's state as bytes: saved in checkpoints so a resumed run draws the same noise. */
  getState(): Uint8Array {
    const t = this.native.getState();
    const bytes = t.toArray() as Uint8Array;
    t.dispose();
    return bytes;
  }
  setState(state: Uint8Array): void {
    const t = ops.fromArray!(state, [state.length]) as { dispose(): void };
    this.native.setState(t as never);
    t.dispose();
  }
}

export interface RandomOptions {
  generator?: Generator;
  dtype?: DType;
  device?: Device;
}

function g(opts: RandomOptions): NativeGenerator | null {
  return opts.generator ? opts.generator.native : null;
}

export function randn(shape: number[], opts: RandomOptions = {}): Tensor {
  return wrap(ops.randn!(shape, g(opts), opts.dtype ?? null, opts.device ?? null));
}
export function rand(shape: number[], opts: RandomOptions = {}): Tensor {
  return wrap(ops.rand!(shape, g(opts), opts.dtype ?? null, opts.device ?? null));
}
/** Integers in [low, high). */
export function randint(low: number, high: number, shape: number[], opts: RandomOptions = {}): Tensor {
  return wrap(ops.randint!(low, high, shape, g(opts), opts.device ?? null));
}
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  return wrap(ops.randperm!(n, g(opts), opts.device ?? null));
}
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return wrap(ops.randnLike!(t.handle, g(opts)));
}
export function bernoulli(p: Tensor, opts: RandomOptions = {}): Tensor {
  return wrap(ops.bernoulli!(p.handle, g(opts)));
}
export function multinomial(probs: Tensor, n: number, replacement = false, opts: RandomOptions = {}): Tensor {
  return wrap(ops.multinomial!(probs.handle, n, replacement, g(opts)));
}

/** Seeds libtorch's global generator (used by dropout). */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}
