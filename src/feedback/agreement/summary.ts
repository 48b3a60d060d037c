// All three agreement statistics for one labelling question (e.g. "plausible?",
// "does criterion X fail?") from flat (unit, rater, label) ratings.
import { cohensKappa, type KappaResult } from './cohen.js';
import { countTable, fleissKappa, type FleissResult } from './fleiss.js';
import { krippendorffAlphaNominal, type AlphaResult } from './krippendorff.js';

export interface Rating {
  unit: string | number;
  rater: string;
  label: string;
}

export interface PairKappa extends KappaResult {
  raterA: string;
  raterB: string;
}

export interface AgreementSummary {
  categories: string[];
  raters: string[];
  /** Units rated by at least two raters. */
  units: number;
  ratings: number;
  cohen: PairKappa[];
  fleiss: FleissResult;
  krippendorff: AlphaResult;
}

export function agreementSummary(ratings: ReadonlyArray<Rating>, categories?: ReadonlyArray<string>): AgreementSummary {
  const raters = [...new Set(ratings.map((r) => r.rater))].sort();
  const unitKeys = [...new Set(ratings.map((r) => r.unit))];
  const unitIndex = new Map(unitKeys.map((u, i) => [u, i] as const));
  const raterIndex = new Map(raters.map((r, i) => [r, i] as const));
  // unit × rater matrix; a rater's repeated label for one unit keeps the last one.
  const matrix = unitKeys.map(() => new Array<string | null>(raters.length).fill(null));
  for (const r of ratings) matrix[unitIndex.get(r.unit)!]![raterIndex.get(r.rater)!] = r.label;

  const cohen: PairKappa[] = [];
  for (let a = 0; a < raters.length; a++) {
    for (let b = a + 1; b < raters.length; b++) {
      const res = cohensKappa(
        matrix.map((row) => row[a]!),
        matrix.map((row) => row[b]!),
      );
      if (res.n > 0) cohen.push({ raterA: raters[a]!, raterB: raters[b]!, ...res });
    }
  }
  const perUnit = matrix.map((row) => row.filter((l): l is string => l !== null));
  const cats = categories ? [...categories] : [...new Set(ratings.map((r) => r.label))].sort();
  const fleiss = fleissKappa(countTable(perUnit, cats).counts);
  const krippendorff = krippendorffAlphaNominal(perUnit);
  return {
    categories: cats,
    raters,
    units: perUnit.filter((u) => u.length >= 2).length,
    ratings: ratings.length,
    cohen,
    fleiss,
    krippendorff,
  };
}
