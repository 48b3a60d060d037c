// Scores of a classifier's predicted probabilities against true labels:
// accuracy, macro-F1 and one-vs-rest macro AUROC (the utility metrics).
import { averageRanks } from '../stats.js';

/**
 * AUROC = P(score of a random positive > score of a random negative), ties counting ½:
 * the Mann–Whitney U statistic over average ranks. NaN when either class is absent.
 */
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

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** One-vs-rest AUROC of this class's probability. */
  auroc: number;
  support: number;
}

export interface ClassificationScores {
  accuracy: number;
  /** Unweighted mean of per-class F1 over classes that occur in the labels or predictions. */
  macroF1: number;
  /** Unweighted mean of one-vs-rest AUROC over classes with both positives and negatives. */
  aurocMacro: number;
  count: number;
  perClass: ClassScores[];
  /** confusion[true][predicted]. */
  confusion: number[][];
}

/**
 * Scores from probabilities `probs` (row-major [N, K], or rows) and integer labels in [0, K).
 * The prediction is the arg-max (first on ties).
 */
export function classificationScores(probs: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>, labels: ArrayLike<number>, numClasses: number): ClassificationScores {
  const n = labels.length;
  const k = numClasses;
  const at = isRows(probs) ? (i: number, c: number) => probs[i]![c]! : (i: number, c: number) => (probs as ArrayLike<number>)[i * k + c]!;
  if (!isRows(probs) && probs.length !== n * k) throw new RangeError(`classificationScores: ${probs.length} probabilities for ${n} labels × ${k} classes`);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (at(i, c) > at(i, best)) best = c;
    const y = labels[i]!;
    if (!(y >= 0 && y < k)) throw new RangeError(`classificationScores: label ${y} at ${i} is outside [0, ${k})`);
    confusion[y]![best]! += 1;
    if (best === y) correct++;
  }
  const perClass: ClassScores[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    const scores = new Float64Array(n);
    const positive = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      scores[i] = at(i, c);
      positive[i] = labels[i] === c ? 1 : 0;
    }
    perClass.push({ precision, recall, f1, auroc: auroc(scores, positive), support });
  }
  const present = perClass.filter((p, c) => p.support > 0 || confusion.some((row) => row[c]! > 0));
  const aucs = perClass.map((p) => p.auroc).filter(Number.isFinite);
  return {
    accuracy: n ? correct / n : NaN,
    macroF1: present.length ? present.reduce((a, p) => a + p.f1, 0) / present.length : NaN,
    aurocMacro: aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : NaN,
    count: n,
    perClass,
    confusion,
  };
}

function isRows(p: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>): p is ReadonlyArray<ArrayLike<number>> {
  return p.length > 0 && typeof (p as ArrayLike<unknown>)[0] === 'object';
}
