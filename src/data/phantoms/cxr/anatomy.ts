// The canonical chest: where lungs, heart, diaphragm, ribs and clavicles lie in a
// frame where the image spans u, v ∈ [−1, 1] (u to the image's right = patient's
// left, v down) at the reference pose. The renderer draws it; the oracle uses the same
// atlas (lobe zones, costophrenic angles, heart level) after undoing the pose it
// estimated from the pixels. All functions are pure geometry.
import type { Lobe, Side } from './types.js';

/** Lung field centre (|u|), half-width, apex height, hemidiaphragm dome (v) per side. */
export const LUNG = {
  centreU: 0.44,
  lateralU: 0.8,
  medialU: 0.1,
  apexV: -0.78,
  /** Dome height of each hemidiaphragm at its highest point (the right sits higher). */
  domeV: { right: 0.3, left: 0.35 } as Record<Side, number>,
  domeU: 0.42,
  domeCurve: 1.5,
};

/** Thoracic width at the reference pose (inner rib margins, both sides). */
export const THORAX_WIDTH = 2 * LUNG.lateralU;

/** Horizontal mirror: u > 0 is the patient's left. */
export function sideOf(u: number): Side {
  return u < 0 ? 'right' : 'left';
}

/** Hemidiaphragm height at u (v grows downwards; the dome is highest at |u| = domeU). */
export function diaphragmV(u: number, side: Side = sideOf(u)): number {
  const du = Math.abs(u) - LUNG.domeU;
  return LUNG.domeV[side] + LUNG.domeCurve * du * du;
}

/** Lateral and medial lung edges (|u|) at height v, before the heart is cut out; NaN above the apex. */
export function lungEdges(v: number): { lateral: number; medial: number } {
  const c = LUNG.centreU;
  if (v < LUNG.apexV) return { lateral: NaN, medial: NaN };
  if (v <= 0) {
    const f = Math.sqrt(Math.max(0, 1 - (v / LUNG.apexV) ** 2));
    return { lateral: c + (LUNG.lateralU - c) * f, medial: c - (c - LUNG.medialU) * f };
  }
  return { lateral: LUNG.lateralU + 0.04 * v, medial: LUNG.medialU };
}

export interface Heart {
  cu: number;
  cv: number;
  /** Semi-axes. */
  a: number;
  b: number;
}

/** The heart for a cardiothoracic ratio: an ellipse whose width is ctr × thoracic width. */
export function heartFor(ctr: number): Heart {
  const a = (ctr * THORAX_WIDTH) / 2;
  return { cu: 0.06, cv: 0.24, a, b: 0.27 + 0.3 * (a - 0.34) };
}

export function inHeart(h: Heart, u: number, v: number): number {
  return ((u - h.cu) / h.a) ** 2 + ((v - h.cv) / h.b) ** 2;
}

/**
 * Signed distance-like value of the lung field at (u, v) (canonical units, negative
 * inside), heart excluded. Smooth enough to anti-alias with a soft edge.
 */
export function lungField(u: number, v: number, heart: Heart): number {
  const au = Math.abs(u);
  const side = sideOf(u);
  if (v < LUNG.apexV) return Math.hypot(au - LUNG.centreU, v - LUNG.apexV);
  const e = lungEdges(v);
  let d = Math.max(au - e.lateral, e.medial - au, v - diaphragmV(u, side));
  if (v < 0) {
    // Apex: an elliptical dome over the lung's centre line.
    const c = LUNG.centreU;
    const half = (LUNG.lateralU - LUNG.medialU) / 2;
    const r = Math.hypot((au - c) / half, v / LUNG.apexV) - 1;
    d = Math.max(d, r * 0.35);
  }
  const k = inHeart(heart, u, v);
  if (k < 1) d = Math.max(d, (1 - Math.sqrt(k)) * Math.min(heart.a, heart.b));
  return d;
}

/** Height of a point within its lung, 0 at the apex, 1 at the lateral costophrenic angle. */
export function lungHeight(v: number, side: Side): number {
  const base = diaphragmV(LUNG.lateralU, side);
  return (v - LUNG.apexV) / (base - LUNG.apexV);
}

/**
 * Lobe zones in a frontal view (lobes overlap in projection; these are the usual
 * zones a reader assigns): right upper / middle / lower by height, the middle lobe
 * medial; left upper above the hilum, lower below.
 */
export function lobeAt(u: number, v: number): Lobe {
  if (u < 0) {
    if (v < -0.2) return 'rul';
    if (v < 0.1) return 'rml';
    return 'rll';
  }
  return v < 0.04 ? 'lul' : 'lll';
}

/** Where the renderer centres an opacity of each lobe: boxes well inside the zone (u, v ranges). */
export const LOBE_CENTRES: Record<Lobe, { u: readonly [number, number]; v: readonly [number, number] }> = {
  rul: { u: [-0.6, -0.34], v: [-0.55, -0.36] },
  rml: { u: [-0.6, -0.44], v: [-0.12, 0.0] },
  rll: { u: [-0.62, -0.5], v: [0.17, 0.24] },
  lul: { u: [0.36, 0.6], v: [-0.5, -0.16] },
  lll: { u: [0.58, 0.66], v: [0.1, 0.2] },
};

/** The costophrenic-angle region of a side (u range as |u|, v range), where an effusion collects first. */
export const COSTOPHRENIC = { au: [0.62, 0.76] as const, /** v relative to the hemidiaphragm there. */ above: [-0.12, -0.02] as const };
/** Rows (v) where the lateral chest wall is checked for a pneumothorax. */
export const PNEUMOTHORAX_ROWS = [-0.55, 0.2] as const;
/** Columns (|u|) over each lung's apical dome, and over the outer slope of its hemidiaphragm (pose estimation). */
export const APEX_COLUMNS = [0.36, 0.52] as const;
export const BASE_COLUMNS = [0.42, 0.52] as const;
/** Where the lung's own density is read (|u|, v): upper and middle zones, away from the chest wall (pneumothorax) and base (effusion). */
export const LUNG_LEVEL = { au: [0.2, 0.6] as const, v: [-0.6, 0.1] as const };
/** Rows where the heart is widest (v range). */
export const HEART_ROWS = [0.12, 0.28] as const;
