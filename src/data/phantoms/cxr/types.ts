// Chest X-ray findings as structured data: what a phantom shows, what a report states,
// and what the oracle compares. Sides are the patient's (radiological convention: the
// patient's right lung is on the image's left).

export const LOBES = ['rul', 'rml', 'rll', 'lul', 'lll'] as const;
export type Lobe = (typeof LOBES)[number];

export const LOBE_NAMES: Record<Lobe, string> = {
  rul: 'right upper lobe',
  rml: 'right middle lobe',
  rll: 'right lower lobe',
  lul: 'left upper lobe',
  lll: 'left lower lobe',
};

export type Side = 'left' | 'right';
export const SIDES: readonly Side[] = ['right', 'left'];

export function lobeSide(l: Lobe): Side {
  return l.startsWith('r') ? 'right' : 'left';
}

export interface CxrFindings {
  /** Cardiothoracic ratio > 0.5. */
  cardiomegaly: boolean;
  effusion: Record<Side, boolean>;
  /** Lobes with a focal opacity (consolidation). */
  opacity: Lobe[];
  pneumothorax: Record<Side, boolean>;
}

/** Flat finding keys, as columns of metadata.csv and ids of failed criteria. */
export const FINDING_KEYS = [
  'cardiomegaly',
  'effusion_right',
  'effusion_left',
  'opacity_rul',
  'opacity_rml',
  'opacity_rll',
  'opacity_lul',
  'opacity_lll',
  'pneumothorax_right',
  'pneumothorax_left',
] as const;
export type FindingKey = (typeof FINDING_KEYS)[number];

/** Checklist criteria for a chest X-ray: posture plus one per finding (stated vs seen). */
export const CXR_CRITERIA = ['posture', ...FINDING_KEYS] as const;
export type CxrCriterion = (typeof CXR_CRITERIA)[number];

export const CXR_CRITERION_LABELS: Record<CxrCriterion, string> = {
  posture: 'Posture (rotation, scale, position)',
  cardiomegaly: 'Cardiomegaly',
  effusion_right: 'Right pleural effusion',
  effusion_left: 'Left pleural effusion',
  opacity_rul: 'Right upper lobe opacity',
  opacity_rml: 'Right middle lobe opacity',
  opacity_rll: 'Right lower lobe opacity',
  opacity_lul: 'Left upper lobe opacity',
  opacity_lll: 'Left lower lobe opacity',
  pneumothorax_right: 'Right pneumothorax',
  pneumothorax_left: 'Left pneumothorax',
};

export function noFindings(): CxrFindings {
  return { cardiomegaly: false, effusion: { left: false, right: false }, opacity: [], pneumothorax: { left: false, right: false } };
}

export function findingsToRecord(f: CxrFindings): Record<FindingKey, boolean> {
  return {
    cardiomegaly: f.cardiomegaly,
    effusion_right: f.effusion.right,
    effusion_left: f.effusion.left,
    opacity_rul: f.opacity.includes('rul'),
    opacity_rml: f.opacity.includes('rml'),
    opacity_rll: f.opacity.includes('rll'),
    opacity_lul: f.opacity.includes('lul'),
    opacity_lll: f.opacity.includes('lll'),
    pneumothorax_right: f.pneumothorax.right,
    pneumothorax_left: f.pneumothorax.left,
  };
}

export function recordToFindings(r: Partial<Record<string, boolean>>): CxrFindings {
  return {
    cardiomegaly: Boolean(r.cardiomegaly),
    effusion: { right: Boolean(r.effusion_right), left: Boolean(r.effusion_left) },
    opacity: LOBES.filter((l) => r[`opacity_${l}`]),
    pneumothorax: { right: Boolean(r.pneumothorax_right), left: Boolean(r.pneumothorax_left) },
  };
}

/** The `finding` column: present finding keys joined by '|', or 'normal'. */
export function findingLabel(f: CxrFindings): string {
  const rec = findingsToRecord(f);
  const on = FINDING_KEYS.filter((k) => rec[k]);
  return on.length ? on.join('|') : 'normal';
}

export function isNormal(f: CxrFindings): boolean {
  return findingLabel(f) === 'normal';
}
