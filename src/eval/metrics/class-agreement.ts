// Class agreement (the "classified share"): how often a classifier trained on real
// images assigns a sample to the class it was generated for. It asks the question a
// person asks of a class-conditional grid (does each row show its class?) without a
// person, and it catches mode-mixing that FID, pooled over classes, can hide.
// Reported like a plausibility rate (Wilson intervals, per condition), because it is one:
// the classifier is a judge whose verdict is "this is the intended class".
import { type PlausibilityResult, plausibilityRate } from './plausibility.js';

/**
 * `predicted[i]` is the classifier's class index for sample i, `conditions[i]` the class
 * it was generated for. Samples whose condition is not one of `classNames` (e.g. report
 * text) are left out: the classifier cannot judge them.
 */
export function classAgreement(predicted: ArrayLike<number>, conditions: readonly string[], classNames: readonly string[]): PlausibilityResult {
  if (predicted.length !== conditions.length) throw new RangeError(`classAgreement: ${predicted.length} predictions for ${conditions.length} conditions`);
  const judgements = [];
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i]!;
    if (!classNames.includes(c)) continue;
    judgements.push({ plausible: classNames[predicted[i]!] === c, condition: c });
  }
  return plausibilityRate(judgements);
}
