// Per-condition breakdowns: run any metric on the subset of items of each
// condition (e.g. FID and PRDC per cell type), skipping conditions too small for it.
import { type Tensor, tensor, tidy } from '../../engine/index.js';

/** Indices of each condition, conditions sorted by name. */
export function groupByCondition(conditions: ReadonlyArray<string | number>): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  conditions.forEach((c, i) => {
    const key = String(c);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  });
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

/** Rows of `x` at `indices` (a new tensor). */
export function selectRows(x: Tensor, indices: ReadonlyArray<number>): Tensor {
  return tidy(() => x.indexSelect(0, tensor(BigInt64Array.from(indices, (i) => BigInt(i)), [indices.length], { dtype: 'int64' })));
}

/**
 * For each condition present in both sets with at least `minCount` items in each,
 * `metric(realRows, fakeRows, condition)`. Rows are freed after the call.
 */
export function perCondition<T>(
  real: Tensor,
  realConditions: ReadonlyArray<string | number>,
  fake: Tensor,
  fakeConditions: ReadonlyArray<string | number>,
  metric: (real: Tensor, fake: Tensor, condition: string) => T,
  minCount = 2,
): Record<string, T> {
  const r = groupByCondition(realConditions);
  const f = groupByCondition(fakeConditions);
  const out: Record<string, T> = {};
  for (const [cond, fi] of f) {
    const ri = r.get(cond);
    if (!ri || ri.length < minCount || fi.length < minCount) continue;
    out[cond] = tidy(() => {
      const value = metric(selectRows(real, ri), selectRows(fake, fi), cond);
      return value;
    });
  }
  return out;
}
