// Small helpers shared by the reward trainers: index tensors, seeded splits, batched inference.
import { type Random, seededRandom, shuffled } from '../data/random.js';
import { type Tensor, noGrad, tensor, tidy } from '../engine/index.js';

export function int64(values: ArrayLike<number>): Tensor {
  return tensor(BigInt64Array.from(Array.from(values), (v) => BigInt(v)), [values.length], { dtype: 'int64' });
}

/** Rows `idx` of `x` (a new tensor). */
export function rows(x: Tensor, idx: ReadonlyArray<number>): Tensor {
  return tidy(() => x.indexSelect(0, int64(idx)));
}

/** Indices 0..n-1 split into [train, held-out] with `heldOut` ∈ [0, 1) of them held out, seeded. */
export function splitIndices(n: number, heldOut: number, seed: number): [number[], number[]] {
  const order = shuffled(
    Array.from({ length: n }, (_, i) => i),
    seededRandom(seed),
  );
  const k = n >= 5 ? Math.round(n * heldOut) : 0;
  return [order.slice(k).sort((a, b) => a - b), order.slice(0, k).sort((a, b) => a - b)];
}

/** An endless stream of shuffled mini-batches of indices (reshuffled each pass). */
export function batchStream(indices: ReadonlyArray<number>, size: number, random: Random): () => number[] {
  let order: number[] = [];
  return () => {
    const out: number[] = [];
    while (out.length < size && indices.length > 0) {
      if (order.length === 0) order = shuffled(indices, random);
      out.push(order.pop()!);
    }
    return out;
  };
}

/** Runs `fn` over `x` in chunks without gradients and concatenates the flat float results. */
export function batched(n: number, batchSize: number, fn: (start: number, len: number) => Float32Array): Float32Array {
  const parts: Float32Array[] = [];
  noGrad(() => {
    for (let s = 0; s < n; s += batchSize) parts.push(fn(s, Math.min(batchSize, n - s)));
  });
  const out = new Float32Array(parts.reduce((k, p) => k + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Linear warm-up over 5% of the steps, then cosine decay to 0: the learning rate at `step`. */
export function cosineSchedule(peak: number, steps: number): (step: number) => number {
  const warmup = Math.max(1, Math.round(0.05 * steps));
  return (s) => (s < warmup ? (peak * (s + 1)) / warmup : 0.5 * peak * (1 + Math.cos((Math.PI * (s - warmup)) / Math.max(1, steps - warmup))));
}
