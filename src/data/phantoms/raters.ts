// Judges and simulated raters built on the phantom oracles. A judge is a plain function
// (image, stated condition) → verdict — the same shape the feedback app's simulated
// raters call — so an oracle can stand in for an expert. `simulatedRater` adds what
// real raters bring: random error, a lean towards "plausible" or "implausible", and
// defects they overlook. Its randomness is seeded by the rater's seed and the image's
// content, so the same rater gives the same answer to the same image in any order.
import type { Raster } from '../raster.js';
import { judgeCell } from './cells/oracle.js';
import { CELL_CRITERIA, isCellLabel } from './cells/types.js';
import { judgeCxr } from './cxr/oracle.js';
import { CXR_CRITERIA } from './cxr/types.js';
import { deriveSeed, seededRandom } from './random.js';

export interface Verdict {
  plausible: boolean;
  /** Checklist criterion ids that fail (e.g. 'granules', 'effusion_right', 'posture'). */
  failedCriteria: string[];
}

/** (image, condition) → verdict; the condition is a cell class or a chest X-ray report / finding label. */
export type PhantomJudge = (image: Raster, condition: string) => Verdict;

export type OracleKind = 'cells' | 'cxr' | 'auto';

/**
 * The oracle as a judge. `cells` takes a pbc64 class name, `cxr` a report or finding
 * label; `auto` picks by the condition (a known cell class → cells, anything else → cxr).
 */
export function makeOracleJudge(kind: OracleKind = 'auto'): PhantomJudge {
  const cells: PhantomJudge = (image, condition) => {
    const v = judgeCell(image, condition);
    return { plausible: v.plausible, failedCriteria: [...v.failedCriteria] };
  };
  const cxr: PhantomJudge = (image, condition) => {
    const v = judgeCxr(image, condition);
    return { plausible: v.plausible, failedCriteria: [...v.failedCriteria] };
  };
  if (kind === 'cells') return cells;
  if (kind === 'cxr') return cxr;
  return (image, condition) => (isCellLabel(condition.trim().toLowerCase()) ? cells(image, condition) : cxr(image, condition));
}

/** Criteria a judge of this kind can name (for raters that invent a failure when flipping to "implausible"). */
export function criteriaFor(kind: OracleKind): readonly string[] {
  return kind === 'cells' ? CELL_CRITERIA : kind === 'cxr' ? CXR_CRITERIA : [...CELL_CRITERIA, ...CXR_CRITERIA];
}

export interface SimulatedRaterOptions {
  judge: PhantomJudge;
  /** Probability of answering against the (bias-adjusted) verdict. Default 0. */
  errorRate?: number;
  /** > 0: an implausible verdict becomes plausible with this probability; < 0: a plausible one becomes implausible with |bias|. Default 0. */
  bias?: number;
  /** Probability of overlooking each failed criterion; overlooking all of them makes the answer plausible. Default 0. */
  criterionMissRate?: number;
  seed?: number;
  /** Criteria to name when a rater calls a plausible image implausible (default: none named). */
  criteria?: readonly string[];
}

/** FNV-1a over the image quantised to 8 bits (plus its shape): a content key for per-image randomness. */
export function imageKey(image: Raster): number {
  let h = 0x811c9dc5 ^ (image.width * 73856093) ^ (image.height * 19349663) ^ image.channels;
  const d = image.data;
  for (let i = 0; i < d.length; i++) {
    h ^= Math.round(Math.min(1, Math.max(0, d[i]!)) * 255);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function checkProbability(name: string, p: number, signed = false): void {
  const lo = signed ? -1 : 0;
  if (!(p >= lo && p <= 1)) throw new RangeError(`simulatedRater: ${name} must be in [${lo}, 1], got ${p}`);
}

/** A noisy, biased rater on top of a judge (deterministic in seed, image and condition). */
export function simulatedRater(opts: SimulatedRaterOptions): PhantomJudge {
  const errorRate = opts.errorRate ?? 0;
  const bias = opts.bias ?? 0;
  const miss = opts.criterionMissRate ?? 0;
  checkProbability('errorRate', errorRate);
  checkProbability('bias', bias, true);
  checkProbability('criterionMissRate', miss);
  const seed = opts.seed ?? 0;
  const named = opts.criteria ?? [];
  return (image, condition) => {
    const r = seededRandom(deriveSeed(seed, imageKey(image), condition));
    const truth = opts.judge(image, condition);
    // Overlooked defects.
    let failed = truth.failedCriteria.filter(() => r() >= miss);
    let plausible = truth.plausible || (truth.failedCriteria.length > 0 && failed.length === 0);
    const invent = (): string[] => (named.length ? [named[Math.floor(r() * named.length)]!] : []);
    // Lean.
    if (bias > 0 && !plausible && r() < bias) plausible = true;
    else if (bias < 0 && plausible && r() < -bias) {
      plausible = false;
      failed = invent();
    }
    // Plain error.
    if (r() < errorRate) {
      plausible = !plausible;
      failed = plausible ? [] : truth.failedCriteria.length ? [...truth.failedCriteria] : invent();
    }
    return { plausible, failedCriteria: plausible ? [] : failed };
  };
}
