// Tensor constructors: from typed arrays or numbers, constants and ranges.
import type { AnyTypedArray, Device, DType } from './dtype.js';
import { native } from './native.js';
import { type Tensor, wrap } from './tensor.js';

const ops = native.ops;

export interface CreateOptions {
  dtype?: DType;
  device?: Device;
}

/** A plain number array in the typed array that holds `dtype` exactly (float16/bfloat16 go through float32). */
function fromNumbers(data: number[], dtype: DType | undefined): AnyTypedArray {
  switch (dtype) {
    case 'float64':
      return Float64Array.from(data);
    case 'int64':
      return BigInt64Array.from(data, (v) => BigInt(Math.trunc(v)));
    case 'int32':
      return Int32Array.from(data);
    case 'uint8':
      return Uint8Array.from(data);
    case 'bool':
      return Uint8Array.from(data, (v) => (v ? 1 : 0));
    default:
      return Float32Array.from(data);
  }
}

/**
 * Copies `data` into a new tensor. Plain number arrays become float32 unless a dtype
 * is given; a typed array keeps its own type unless `dtype` converts it (e.g. a
 * Uint8Array with `{ dtype: 'bool' }`: nonzero is true).
 */
export function tensor(data: AnyTypedArray | number[], shape?: number[], opts: CreateOptions = {}): Tensor {
  const arr: AnyTypedArray = Array.isArray(data) ? fromNumbers(data, opts.dtype) : data;
  const t = wrap(ops.fromArray!(arr, shape ?? [arr.length], opts.dtype ?? null));
  if (opts.device && opts.device !== 'cpu') {
    const moved = t.to(opts.device);
    t.dispose();
    return moved;
  }
  return t;
}

export function scalar(value: number, opts: CreateOptions = {}): Tensor {
  return wrap(ops.scalar!(value, opts.dtype ?? null, opts.device ?? null));
}
export function zeros(shape: number[], opts: CreateOptions = {}): Tensor {
  return wrap(ops.zeros!(shape, opts.dtype ?? null, opts.device ?? null));
}
export function ones(shape: number[], opts: CreateOptions = {}): Tensor {
  return wrap(ops.ones!(shape, opts.dtype ?? null, opts.device ?? null));
}
export function full(shape: number[], value: number, opts: CreateOptions = {}): Tensor {
  return wrap(ops.full!(shape, value, opts.dtype ?? null, opts.device ?? null));
}
/** Values in [start, end) by `step`: int64 when all three are whole numbers, else float32 (unless `dtype`). */
/** Uninitialised memory: for buffers that are fully written before being read. */
export function empty(shape: number[], opts: CreateOptions = {}): Tensor {
  return wrap(ops.empty!(shape, opts.dtype ?? null, opts.device ?? null));
}
export function arange(start: number, end: number, step = 1, opts: CreateOptions = {}): Tensor {
  return wrap(ops.arange!(start, end, step, opts.dtype ?? null, opts.device ?? null));
}
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  return wrap(ops.linspace!(start, end, steps, opts.dtype ?? null, opts.device ?? null));
}
export function eye(n: number, opts: CreateOptions = {}): Tensor {
  return wrap(ops.eye!(n, opts.dtype ?? null, opts.device ?? null));
}
export function zerosLike(t: Tensor): Tensor {
  return wrap(ops.zerosLike!(t.handle));
}
export function onesLike(t: Tensor): Tensor {
  return wrap(ops.onesLike!(t.handle));
}
export function fullLike(t: Tensor, value: number): Tensor {
  return wrap(ops.fullLike!(t.handle, value));
}
