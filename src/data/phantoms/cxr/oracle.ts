// The chest X-ray oracle: parses the stated condition (a report, or a finding label),
// measures the image (measure.ts) and checks posture and every finding, stated vs
// seen. A finding stated but not seen fails, and so does one seen but not stated
// (the report would be wrong either way).
import type { Raster } from '../../raster.js';
import { type CxrMeasurements, measureCxr } from './measure.js';
import type { CxrPose } from './render.js';
import { parseCondition } from './report.js';
import { type CxrCriterion, type CxrFindings, FINDING_KEYS, findingsToRecord } from './types.js';

/** How far a plausible radiograph's posture may stray from the reference (pose units: half-widths, radians). */
export const POSTURE_LIMITS = {
  rotationDeg: 8,
  /** Horizontal scale (well measured). */
  scaleX: 0.15,
  /** Vertical scale (measured from lung heights, looser). */
  scaleY: 0.2,
  translation: 0.12,
};

export interface CxrCriterionResult {
  criterion: CxrCriterion;
  pass: boolean;
  detail: string;
}

export interface CxrVerdict {
  plausible: boolean;
  failedCriteria: CxrCriterion[];
  criteria: CxrCriterionResult[];
  stated: CxrFindings;
  measurements: CxrMeasurements;
}

/** Whether a pose is within POSTURE_LIMITS, and why not. */
export function postureCheck(pose: CxrPose): { pass: boolean; detail: string } {
  const deg = (pose.theta * 180) / Math.PI;
  const issues: string[] = [];
  if (Math.abs(deg) > POSTURE_LIMITS.rotationDeg) issues.push(`rotated ${deg.toFixed(1)}°`);
  if (Math.abs(pose.sx - 1) > POSTURE_LIMITS.scaleX) issues.push(`scale x ${pose.sx.toFixed(2)}`);
  if (Math.abs(pose.sy - 1) > POSTURE_LIMITS.scaleY) issues.push(`scale y ${pose.sy.toFixed(2)}`);
  if (Math.abs(pose.tx) > POSTURE_LIMITS.translation || Math.abs(pose.ty) > POSTURE_LIMITS.translation) issues.push(`shifted (${pose.tx.toFixed(2)}, ${pose.ty.toFixed(2)})`);
  const where = `θ ${deg.toFixed(1)}°, s (${pose.sx.toFixed(2)}, ${pose.sy.toFixed(2)}), t (${pose.tx.toFixed(2)}, ${pose.ty.toFixed(2)})`;
  return { pass: issues.length === 0, detail: issues.length ? `${issues.join(', ')} [${where}]` : where };
}

/** Checks measurements against stated findings. */
export function checkCxr(m: CxrMeasurements, stated: CxrFindings): CxrCriterionResult[] {
  if (!m.found) {
    const said = findingsToRecord(stated);
    return [
      { criterion: 'posture', pass: false, detail: 'no two lung fields found' },
      ...FINDING_KEYS.map((k) => ({ criterion: k, pass: !said[k], detail: said[k] ? 'stated, but no lungs to see it in' : 'not stated' })),
    ];
  }
  const said = findingsToRecord(stated);
  const seen = findingsToRecord(m.seen);
  const posture = postureCheck(m.pose);
  return [
    { criterion: 'posture', ...posture },
    ...FINDING_KEYS.map((k) => ({
      criterion: k,
      pass: said[k] === seen[k],
      detail: `${said[k] ? 'stated' : 'not stated'}, ${seen[k] ? 'seen' : 'not seen'}${k === 'cardiomegaly' ? ` (CTR ${m.ctr.toFixed(2)})` : ''}`,
    })),
  ];
}

/** Judges a chest X-ray against a stated report (or finding label) from its pixels. */
export function judgeCxr(image: Raster, condition: string): CxrVerdict {
  const stated = parseCondition(condition);
  const measurements = measureCxr(image);
  const criteria = checkCxr(measurements, stated);
  const failedCriteria = criteria.filter((c) => !c.pass).map((c) => c.criterion);
  return { plausible: failedCriteria.length === 0, failedCriteria, criteria, stated, measurements };
}
