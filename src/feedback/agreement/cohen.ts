// Cohen's κ (Cohen 1960) for two raters who labelled the same units with nominal
// categories: κ = (p_o − p_e) / (1 − p_e), p_e from each rater's own marginals.
export interface KappaResult {
  /** NaN when chance agreement is 1 (both raters used one and the same category throughout). */
  kappa: number;
  observed: number;
  expected: number;
  /** Units that entered the computation. */
  n: number;
}

/** From a square contingency table: `table[i][j]` = units rater A put in category i and rater B in j. */
export function cohensKappaFromTable(table: number[][]): KappaResult {
  const k = table.length;
  let n = 0;
  let agree = 0;
  const rows = new Array<number>(k).fill(0);
  const cols = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    const row = table[i]!;
    if (row.length !== k) throw new RangeError(`cohensKappaFromTable: row ${i} has ${row.length} cells, expected ${k}`);
    for (let j = 0; j < k; j++) {
      const c = row[j]!;
      n += c;
      rows[i]! += c;
      cols[j]! += c;
      if (i === j) agree += c;
    }
  }
  if (n === 0) return { kappa: NaN, observed: NaN, expected: NaN, n: 0 };
  const observed = agree / n;
  let expected = 0;
  for (let i = 0; i < k; i++) expected += (rows[i]! / n) * (cols[i]! / n);
  return { kappa: expected === 1 ? NaN : (observed - expected) / (1 - expected), observed, expected, n };
}

/** From two label sequences over the same units; a unit missing (null) for either rater is skipped. */
export function cohensKappa<T>(a: ReadonlyArray<T | null>, b: ReadonlyArray<T | null>): KappaResult {
  if (a.length !== b.length) throw new RangeError(`cohensKappa: label sequences differ in length (${a.length} vs ${b.length})`);
  const index = new Map<T, number>();
  const pairs: Array<[number, number]> = [];
  const id = (v: T) => {
    let i = index.get(v);
    if (i === undefined) index.set(v, (i = index.size));
    return i;
  };
  for (let u = 0; u < a.length; u++) {
    const x = a[u];
    const y = b[u];
    if (x === null || x === undefined || y === null || y === undefined) continue;
    pairs.push([id(x), id(y)]);
  }
  const k = index.size;
  const table = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const [i, j] of pairs) table[i]![j]! += 1;
  return cohensKappaFromTable(table);
}
