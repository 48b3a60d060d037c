// What alignment cost, beside what it was rewarded for. A reward (a reward model, or
// raters judging a checklist) checks some properties of an image and is blind to the
// rest; a policy that climbs it can narrow each class onto fewer looks (diversity) or
// drift in what nobody checks, such as the slide's background colour (fidelity). The
// reward-hacking guard cannot see either when the evaluator shares the reward's
// blind spot (measured: ratings-rewarded DDPO turned every background yellow, FID
// 9.0 → 26.6, with the guard's ρ at 0.82–1.00). This check compares the aligned
// model's fidelity and diversity with the baseline's on the same seeds.
//  - Diversity holds when PRDC recall falls by at most `tolerance` (relative) or the
//    mean within-class MS-SSIM rises by at most `tolerance` (relative): either one,
//    as the alignment issue's bar states it.
//  - Fidelity holds unless FID rises both by more than `tolerance` (relative) and by
//    more than the noise floor (the FID between two halves of the real held-out
//    images), so the estimator's own noise on a few hundred samples does not flag.
import type { SetEvaluation } from './evaluate.js';

export interface FidelityDiversity {
  recall: number;
  /** Mean within-class MS-SSIM (lower = more diverse). */
  msSsim: number;
  fid: number;
}

export interface SideEffectsOptions {
  /** Relative change allowed in each figure (default 0.1, the issue's −10%). */
  tolerance?: number;
  /** FID between two disjoint halves of the real held-out images (default 0). */
  noiseFloorFid?: number;
}

export interface SideEffects {
  /** Relative changes against the baseline: (aligned − baseline) / baseline. */
  recallChange: number;
  msSsimChange: number;
  fidChange: number;
  diversityHeld: boolean;
  fidelityHeld: boolean;
  tolerance: number;
  /** One sentence for the report and the terminal. */
  message: string;
}

export function sideEffects(baseline: FidelityDiversity, aligned: FidelityDiversity, opts: SideEffectsOptions = {}): SideEffects {
  const tolerance = opts.tolerance ?? 0.1;
  const floor = opts.noiseFloorFid ?? 0;
  for (const [name, v] of Object.entries({ 'baseline recall': baseline.recall, 'baseline MS-SSIM': baseline.msSsim, 'baseline FID': baseline.fid, 'aligned recall': aligned.recall, 'aligned MS-SSIM': aligned.msSsim, 'aligned FID': aligned.fid })) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`side effects: ${name} is ${v}; it must be a finite number ≥ 0`);
  }
  if (!(tolerance >= 0)) throw new RangeError(`side effects: tolerance ${tolerance} must be ≥ 0`);
  const rel = (a: number, b: number) => (b > 0 ? (a - b) / b : a === b ? 0 : Infinity);
  const recallChange = rel(aligned.recall, baseline.recall);
  const msSsimChange = rel(aligned.msSsim, baseline.msSsim);
  const fidChange = rel(aligned.fid, baseline.fid);
  const diversityHeld = recallChange >= -tolerance || msSsimChange <= tolerance;
  const fidelityHeld = !(fidChange > tolerance && aligned.fid - baseline.fid > floor);
  const pct = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(0)}%`;
  const figures = `recall ${baseline.recall.toFixed(2)} → ${aligned.recall.toFixed(2)} (${pct(recallChange)}), within-class MS-SSIM ${baseline.msSsim.toFixed(3)} → ${aligned.msSsim.toFixed(3)} (${pct(msSsimChange)}), FID ${baseline.fid.toPrecision(3)} → ${aligned.fid.toPrecision(3)}`;
  const tol = `${(tolerance * 100).toFixed(0)}%`;
  const lost = [diversityHeld ? '' : `diversity lost (recall fell and MS-SSIM rose by more than ${tol})`, fidelityHeld ? '' : `fidelity lost (FID rose by more than ${tol} and past the noise floor ${floor.toPrecision(3)})`].filter(Boolean);
  const message = lost.length ? `${lost.join('; ')}: ${figures}. Look at the samples before trusting the aligned model.` : `diversity and fidelity held: ${figures}.`;
  return { recallChange, msSsimChange, fidChange, diversityHeld, fidelityHeld, tolerance, message };
}

/**
 * `sideEffects`, or null when a figure could not be measured (NaN: e.g. too few samples per
 * condition for MS-SSIM): an evaluation reports what it has rather than failing at its end.
 */
export function sideEffectsIfMeasured(baseline: FidelityDiversity, aligned: FidelityDiversity, opts: SideEffectsOptions = {}): SideEffects | null {
  const measured = [baseline, aligned].every((f) => [f.recall, f.msSsim, f.fid].every(Number.isFinite));
  return measured ? sideEffects(baseline, aligned, opts) : null;
}

/** `sideEffectsIfMeasured` of two evaluated sample sets (the same evaluation, so the same features and reference). */
export function setSideEffects(baseline: SetEvaluation, aligned: SetEvaluation, opts: SideEffectsOptions = {}): SideEffects | null {
  const figures = (s: SetEvaluation) => ({ recall: s.prdc.recall, msSsim: s.diversity.mean, fid: s.fid.estimate });
  return sideEffectsIfMeasured(figures(baseline), figures(aligned), opts);
}
