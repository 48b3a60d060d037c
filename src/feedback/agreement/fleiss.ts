// Fleiss' κ (Fleiss 1971) for many raters and nominal categories, from a units ×
// categories count table. Units may have different numbers of ratings (n_i ≥ 2):
// P_i = Σ_j n_ij(n_ij − 1) / (n_i(n_i − 1)), p_j = Σ_i n_ij / Σ_i n_i. With a constant
// n_i this is exactly Fleiss' formula; units with fewer than two ratings carry no
// agreement information and are skipped.
export interface FleissResult {
  /** NaN when every rating falls in one category (chance agreement 1). */
  kappa: number;
  /** P̄: mean observed agreement over units. */
  observed: number;
  /** P̄_e = Σ p_j². */
  expected: number;
  /** Units used. */
  n: number;
  /** Category proportions p_j. */
  proportions: number[];
}

export function fleissKappa(counts: ReadonlyArray<ReadonlyArray<number>>): FleissResult {
  const k = counts[0]?.length ?? 0;
  const totals = new Array<number>(k).fill(0);
  let ratings = 0;
  let sumP = 0;
  let units = 0;
  counts.forEach((row, u) => {
    if (row.length !== k) throw new RangeError(`fleissKappa: unit ${u} has ${row.length} categories, expected ${k}`);
    let ni = 0;
    let same = 0;
    for (const c of row) {
      if (!(c >= 0) || !Number.isInteger(c)) throw new RangeError(`fleissKappa: unit ${u} has a count that is not a non-negative integer (${c})`);
      ni += c;
      same += c * (c - 1);
    }
    if (ni < 2) return;
    units++;
    sumP += same / (ni * (ni - 1));
    ratings += ni;
    row.forEach((c, j) => (totals[j]! += c));
  });
  if (units === 0) return { kappa: NaN, observed: NaN, expected: NaN, n: 0, proportions: totals.map(() => NaN) };
  const proportions = totals.map((t) => t / ratings);
  const observed = sumP / units;
  const expected = proportions.reduce((s, p) => s + p * p, 0);
  return { kappa: expected === 1 ? NaN : (observed - expected) / (1 - expected), observed, expected, n: units, proportions };
}

/** Builds the count table from per-unit label lists (missing ratings simply absent). */
export function countTable<T>(units: ReadonlyArray<ReadonlyArray<T>>, categories?: ReadonlyArray<T>): { categories: T[]; counts: number[][] } {
  const cats = categories ? [...categories] : [...new Set(units.flat())];
  const index = new Map(cats.map((c, i) => [c, i] as const));
  const counts = units.map((labels, u) =>
    labels.reduce((row, l) => {
      const j = index.get(l);
      if (j === undefined) throw new RangeError(`countTable: unit ${u} has label '${String(l)}' outside the categories`);
      row[j]! += 1;
      return row;
    }, new Array<number>(cats.length).fill(0)),
  );
  return { categories: cats, counts };
}
