// Krippendorff's α for nominal data with missing values (Krippendorff 2011,
// "Computing Krippendorff's Alpha-Reliability"). Pairable values within each unit
// build the coincidence matrix o_ck = Σ_u (number of c–k pairs in u) / (m_u − 1);
// α = 1 − D_o/D_e = 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k.
export interface AlphaResult {
  /** NaN when no disagreement is possible by chance (a single value used throughout). */
  alpha: number;
  observedDisagreement: number;
  expectedDisagreement: number;
  /** Pairable values n (values in units with at least two of them). */
  pairable: number;
  /** Units with at least two values. */
  units: number;
}

/**
 * `units[u]` lists the values coders gave unit u; a missing rating is just absent (or null).
 */
export function krippendorffAlphaNominal<T>(units: ReadonlyArray<ReadonlyArray<T | null | undefined>>): AlphaResult {
  const index = new Map<T, number>();
  const coded: number[][] = [];
  for (const unit of units) {
    const vals: number[] = [];
    for (const v of unit) {
      if (v === null || v === undefined) continue;
      let i = index.get(v);
      if (i === undefined) index.set(v, (i = index.size));
      vals.push(i);
    }
    if (vals.length >= 2) coded.push(vals);
  }
  const k = index.size;
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const vals of coded) {
    const m = vals.length;
    const counts = new Array<number>(k).fill(0);
    for (const v of vals) counts[v]! += 1;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      for (let d = 0; d < k; d++) {
        // Ordered pairs of distinct coders: c==d pairs exclude a value with itself.
        const pairs = c === d ? counts[c]! * (counts[c]! - 1) : counts[c]! * counts[d]!;
        o[c]![d]! += pairs / (m - 1);
      }
    }
  }
  const nc = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = nc.reduce((s, x) => s + x, 0);
  let disagreeObserved = 0;
  let disagreeExpected = 0;
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < k; d++) {
      if (c === d) continue;
      disagreeObserved += o[c]![d]!;
      disagreeExpected += nc[c]! * nc[d]!;
    }
  }
  const observedDisagreement = n > 0 ? disagreeObserved / n : NaN;
  const expectedDisagreement = n > 1 ? disagreeExpected / (n * (n - 1)) : NaN;
  const alpha = disagreeExpected > 0 ? 1 - ((n - 1) * disagreeObserved) / disagreeExpected : NaN;
  return { alpha, observedDisagreement, expectedDisagreement, pairable: n, units: coded.length };
}

/** Converts Krippendorff's reliability-data layout (coders × units, null = missing) into per-unit value lists. */
export function unitsFromCoderRows<T>(rows: ReadonlyArray<ReadonlyArray<T | null>>): Array<Array<T>> {
  const width = Math.max(0, ...rows.map((r) => r.length));
  return Array.from({ length: width }, (_, u) => rows.map((r) => r[u]).filter((v): v is T => v !== null && v !== undefined));
}
