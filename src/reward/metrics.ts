// How well a reward model's probabilities match binary truth: AUROC (ranking),
// accuracy at ½, expected calibration error, Brier score. Plain JS over arrays;
// reward/ sits below eval/ and so keeps its own small copies of these.

/** Average ranks (1-based), ties sharing the mean of their ranks. */
function averageRanks(values: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && values[idx[j + 1]!] === values[idx[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]!] = r;
    i = j + 1;
  }
  return ranks;
}

/** P(score of a random positive > score of a random negative), ties ½ (Mann–Whitney U). NaN if a class is absent. */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  if (scores.length !== positive.length) throw new RangeError(`auroc: ${scores.length} scores for ${positive.length} labels`);
  const ranks = averageRanks(scores);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < ranks.length; i++) {
    if (positive[i]) {
      nPos++;
      rankSum += ranks[i]!;
    }
  }
  const nNeg = ranks.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Where the AUROC is lost: 1 − AUROC split over the negatives' groups. Each misordered
 * (positive, negative) pair, the negative scored above the positive (ties count half), is
 * charged to the negative's group, so the shares sum to 1 − AUROC. On the phantom testbed it
 * names the broken kinds a reward model cannot see.
 */
export function aurocLossByGroup(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>, group: ReadonlyArray<string>): Map<string, number> {
  if (scores.length !== positive.length || scores.length !== group.length) throw new RangeError(`aurocLossByGroup: ${scores.length} scores, ${positive.length} labels, ${group.length} groups`);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < scores.length; i++) (positive[i] ? pos : neg).push(i);
  const out = new Map<string, number>();
  if (pos.length === 0 || neg.length === 0) return out;
  for (const j of neg) {
    let wrong = 0;
    for (const i of pos) wrong += scores[j]! > scores[i]! ? 1 : scores[j] === scores[i] ? 0.5 : 0;
    out.set(group[j]!, (out.get(group[j]!) ?? 0) + wrong / (pos.length * neg.length));
  }
  return out;
}

export function accuracyAtHalf(probs: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  let hits = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i]! >= 0.5 === Boolean(positive[i])) hits++;
  return probs.length ? hits / probs.length : NaN;
}

/**
 * Expected calibration error with `bins` equal-width confidence bins over P(positive):
 * Σ_b (n_b / n) |mean predicted − observed positive rate|. Targets may be soft (in [0, 1]).
 */
export function expectedCalibrationError(probs: ArrayLike<number>, targets: ArrayLike<number | boolean>, bins = 10): number {
  const n = probs.length;
  if (n === 0) return NaN;
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const p = probs[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    sumP[b] += p;
    sumY[b] += Number(targets[i]);
    count[b]++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]) ece += (count[b]! / n) * Math.abs(sumP[b]! / count[b]! - sumY[b]! / count[b]!);
  return ece;
}

export function brierScore(probs: ArrayLike<number>, targets: ArrayLike<number | boolean>): number {
  let s = 0;
  for (let i = 0; i < probs.length; i++) s += (probs[i]! - Number(targets[i])) ** 2;
  return probs.length ? s / probs.length : NaN;
}

export interface BinaryScores {
  auroc: number;
  accuracy: number;
  ece: number;
  brier: number;
  count: number;
  positives: number;
}

/** AUROC, accuracy, ECE and Brier of probabilities against binary truth (soft targets are thresholded at ½ for AUROC/accuracy). */
export function binaryScores(probs: ArrayLike<number>, targets: ArrayLike<number | boolean>): BinaryScores {
  const hard = Array.from(targets as ArrayLike<number>, (t) => Number(t) >= 0.5);
  return {
    auroc: auroc(probs, hard),
    accuracy: accuracyAtHalf(probs, hard),
    ece: expectedCalibrationError(probs, targets),
    brier: brierScore(probs, targets),
    count: probs.length,
    positives: hard.filter(Boolean).length,
  };
}
