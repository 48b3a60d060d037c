// k-means++ seeding (Arthur & Vassilvitskii 2007), the batch picker of BADGE (Ash et al.
// 2020): the first pick is the longest row (the most uncertain candidate in gradient
// space); every next pick is drawn with probability ∝ its squared distance to the nearest
// pick so far (D² sampling), so a batch is both uncertain and spread, never k copies of
// the same hard case.

/** Indices of `k` distinct rows of `rows` (n × `dim`, row-major), in the order picked. */
export function kMeansPlusPlus(rows: Float32Array, dim: number, k: number, random: () => number): number[] {
  if (!(dim > 0) || rows.length % dim !== 0) throw new RangeError(`kMeansPlusPlus: ${rows.length} numbers are not rows of ${dim}`);
  const n = rows.length / dim;
  const want = Math.min(k, n);
  if (want <= 0) return [];
  const sqDist = (i: number, c: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (rows[i * dim + j]! - rows[c * dim + j]!) ** 2;
    return s;
  };
  let first = 0;
  let best = -1;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += rows[i * dim + j]! ** 2;
    if (s > best) [best, first] = [s, i];
  }
  const picked = [first];
  const taken = new Uint8Array(n);
  taken[first] = 1;
  // Squared distance of every row to its nearest pick, updated with each pick.
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) d2[i] = sqDist(i, first);
  while (picked.length < want) {
    let total = 0;
    for (let i = 0; i < n; i++) if (!taken[i]) total += d2[i]!;
    let next = -1;
    if (total > 0) {
      let u = random() * total;
      for (let i = 0; i < n && next < 0; i++) {
        if (taken[i] || d2[i] === 0) continue;
        u -= d2[i]!;
        if (u <= 0) next = i;
      }
      // Rounding can leave u a hair above 0 after the last row: take the last eligible one.
      if (next < 0) for (let i = n - 1; i >= 0 && next < 0; i--) if (!taken[i] && d2[i]! > 0) next = i;
    } else {
      // Every row left duplicates a pick: nothing to spread over, so any untaken row will do.
      const free = [...Array(n).keys()].filter((i) => !taken[i]);
      next = free[Math.floor(random() * free.length)]!;
    }
    picked.push(next);
    taken[next] = 1;
    for (let i = 0; i < n; i++) if (!taken[i]) d2[i] = Math.min(d2[i]!, sqDist(i, next));
  }
  return picked;
}
