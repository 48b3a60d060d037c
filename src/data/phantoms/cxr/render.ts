// Chest X-ray phantoms (PA view, grey): body, lungs with vascular markings, heart,
// mediastinum and spine, hemidiaphragms, ribs and clavicles, plus findings —
// cardiomegaly, pleural effusion (blunted costophrenic angle and basal opacity), focal
// opacity by lobe, pneumothorax (a lung edge with no markings beyond it) — under a
// posture (scale, rotation, translation). As for cells, `sampleCxrParams` draws every
// parameter and `drawCxr` paints exactly them.
import type { Raster } from '../../raster.js';
import { resize } from '../../resize.js';
import { addNoiseInPlace, gaussianBlur, sampleBilinear, smoothNoise } from '../filters.js';
import { chance, inRange, itemRandom, pick, type Random } from '../random.js';
import { diaphragmV, heartFor, inHeart, LOBE_CENTRES, LUNG, lungEdges, lungField } from './anatomy.js';
import { writeReport } from './report.js';
import { type CxrCriterion, type CxrFindings, LOBES, type Lobe, lobeSide, noFindings, type Side, SIDES } from './types.js';

/** Affine posture ψ: image = centre + t + R(θ)·diag(sx, sy)·canonical (all in half-widths). */
export interface CxrPose {
  sx: number;
  sy: number;
  tx: number;
  ty: number;
  /** Radians, positive = clockwise on screen (v points down). */
  theta: number;
}

export const IDENTITY_POSE: CxrPose = { sx: 1, sy: 1, tx: 0, ty: 0, theta: 0 };

export type EffusionSize = 'small' | 'moderate';
export type PneumothoraxSize = 'small' | 'large';

export interface CxrRenderParams {
  size: number;
  seed: number;
  findings: CxrFindings;
  /** Cardiothoracic ratio of the drawn heart. */
  ctr: number;
  effusion: Record<Side, { size: EffusionSize; depth: number } | null>;
  opacities: Array<{ lobe: Lobe; u: number; v: number; radius: number; amplitude: number }>;
  pneumothorax: Record<Side, { size: PneumothoraxSize; gap: number } | null>;
  pose: CxrPose;
  appearance: { gamma: number; blur: number; noise: number; markings: number; softTissue: number };
  broken?: { kind: string; criterion: CxrCriterion };
}

export interface FindingRates {
  cardiomegaly: number;
  /** Per side. */
  effusion: number;
  /** Chance of one opacity (a second with a quarter of it). */
  opacity: number;
  /** Chance of a pneumothorax (one side). */
  pneumothorax: number;
}

export const DEFAULT_FINDING_RATES: FindingRates = { cardiomegaly: 0.25, effusion: 0.15, opacity: 0.3, pneumothorax: 0.12 };

/**
 * Whether findings can be drawn so that a reader (and the oracle) can see each one:
 * no lower-lobe opacity hidden in an effusion on its side, no pneumothorax beside an
 * effusion, no opacity in a lung collapsed by a pneumothorax, and not both right middle
 * and lower lobe opacities (they merge into one shadow in a frontal view).
 */
export function isCoherent(f: CxrFindings): boolean {
  for (const s of SIDES) if (f.effusion[s] && f.pneumothorax[s]) return false;
  for (const l of f.opacity) {
    const s = lobeSide(l);
    if ((l === 'rll' || l === 'lll') && f.effusion[s]) return false;
    if (f.pneumothorax[s]) return false;
  }
  return !(f.opacity.includes('rml') && f.opacity.includes('rll'));
}

/** Draws a coherent set of findings (see isCoherent). */
export function sampleFindings(r: Random, rates: FindingRates = DEFAULT_FINDING_RATES): CxrFindings {
  const f = noFindings();
  f.cardiomegaly = chance(r, rates.cardiomegaly);
  for (const s of SIDES) f.effusion[s] = chance(r, rates.effusion);
  const free = SIDES.filter((x) => !f.effusion[x]);
  if (chance(r, rates.pneumothorax) && free.length) f.pneumothorax[pick(r, free)] = true;
  const allowed = (l: Lobe): boolean => !f.opacity.includes(l) && isCoherent({ ...f, opacity: [...f.opacity, l] });
  if (chance(r, rates.opacity)) {
    const c = LOBES.filter(allowed);
    if (c.length) f.opacity.push(pick(r, c));
    if (chance(r, 0.25)) {
      const c2 = LOBES.filter(allowed);
      if (c2.length) f.opacity.push(pick(r, c2));
    }
  }
  f.opacity.sort((a, b) => LOBES.indexOf(a) - LOBES.indexOf(b));
  return f;
}

/** Geometry and appearance for given findings (deterministic in seed). */
export function paramsForFindings(findings: CxrFindings, opts: { size?: number; seed: number }): CxrRenderParams {
  const r = itemRandom(opts.seed, 'cxr-params');
  const sideParams = <T>(on: Record<Side, boolean>, make: () => T): Record<Side, T | null> => ({ right: on.right ? make() : null, left: on.left ? make() : null });
  return {
    size: opts.size ?? 64,
    seed: opts.seed,
    findings: structuredClone(findings),
    ctr: findings.cardiomegaly ? inRange(r, [0.56, 0.64]) : inRange(r, [0.38, 0.45]),
    effusion: sideParams(findings.effusion, () => {
      const size: EffusionSize = chance(r, 0.5) ? 'small' : 'moderate';
      return { size, depth: size === 'small' ? inRange(r, [0.12, 0.16]) : inRange(r, [0.18, 0.22]) };
    }),
    opacities: findings.opacity.map((lobe) => {
      const box = LOBE_CENTRES[lobe];
      return { lobe, u: inRange(r, box.u), v: inRange(r, box.v), radius: inRange(r, [0.1, 0.13]), amplitude: inRange(r, [0.22, 0.3]) };
    }),
    pneumothorax: sideParams(findings.pneumothorax, () => {
      const size: PneumothoraxSize = chance(r, 0.5) ? 'small' : 'large';
      return { size, gap: size === 'small' ? inRange(r, [0.12, 0.16]) : inRange(r, [0.18, 0.25]) };
    }),
    pose: {
      sx: inRange(r, [0.95, 1.05]),
      sy: inRange(r, [0.95, 1.05]),
      tx: inRange(r, [-0.03, 0.03]),
      ty: inRange(r, [-0.03, 0.03]),
      theta: (inRange(r, [-3, 3]) * Math.PI) / 180,
    },
    appearance: {
      gamma: inRange(r, [0.85, 1.18]),
      blur: inRange(r, [0.3, 0.7]),
      noise: inRange(r, [0.005, 0.018]),
      markings: inRange(r, [0.03, 0.05]),
      softTissue: inRange(r, [0.5, 0.6]),
    },
  };
}

/** Parameters of one phantom: random findings (or the given ones) and their geometry. */
export function sampleCxrParams(opts: { size?: number; seed: number; findings?: CxrFindings; rates?: FindingRates }): CxrRenderParams {
  const findings = opts.findings ?? sampleFindings(itemRandom(opts.seed, 'cxr-findings'), opts.rates);
  return paramsForFindings(findings, opts);
}

const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** Half-width of the body (soft tissue) at height v: chest wall, shoulders, neck. */
function bodyHalfWidth(v: number): number {
  if (v > -0.72) return 0.93 + 0.03 * Math.max(0, v);
  return 0.93 - 0.55 * smoothstep(-0.72, -1.0, v);
}

/** Distance from the lateral / apical chest wall into the lung (canonical units). */
function wallDistance(u: number, v: number): number {
  const au = Math.abs(u);
  if (v <= LUNG.apexV) return 0;
  const e = lungEdges(v);
  const lateral = e.lateral - au;
  const c = LUNG.centreU;
  const half = (LUNG.lateralU - LUNG.medialU) / 2;
  const x = (au - c) / half;
  const apexCurve = Math.abs(x) < 1 ? LUNG.apexV * Math.sqrt(1 - x * x) : 0;
  return Math.min(lateral, v - apexCurve);
}

/** Paints a chest X-ray from its parameters. */
export function drawCxr(p: CxrRenderParams): Raster {
  const out = p.size;
  const S = Math.max(64, out);
  const half = S / 2;
  const cpx = (S - 1) / 2;
  const r = itemRandom(p.seed, 'cxr-layout');
  const G = 64;
  const markings = smoothNoise(G, G, 1.1, r);
  const patches = smoothNoise(G, G, 1.6, r);
  const heart = heartFor(p.ctr);
  const { sx, sy, tx, ty, theta } = p.pose;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const soft = 1.2 / half; // one pixel, in canonical units
  const ribsV = Array.from({ length: 9 }, (_, k) => -0.72 + 0.15 * k + 0.01 * (r() - 0.5));
  const img = new Float32Array(S * S);
  const a = p.appearance;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      // Image → canonical (inverse pose).
      const px = (x - cpx) / half - tx;
      const py = (y - cpx) / half - ty;
      const u = (cos * px + sin * py) / sx;
      const v = (-sin * px + cos * py) / sy;
      const au = Math.abs(u);
      const side: Side = u < 0 ? 'right' : 'left';
      // Body and abdomen.
      const body = smoothstep(0.02, -0.02, au - bodyHalfWidth(v)) * smoothstep(-1.05, -0.98, v);
      let I = 0.06 + (a.softTissue - 0.06) * body;
      const dia = diaphragmV(u, side);
      I += 0.08 * body * smoothstep(dia - 0.02, dia + 0.04, v);
      // Mediastinum and spine.
      I += 0.14 * body * smoothstep(0.16, 0.1, au) * smoothstep(0.55, 0.45, v);
      I += 0.06 * body * smoothstep(0.06, 0.04, au);
      // Lung field.
      const lf = lungField(u, v, heart);
      const inLung = smoothstep(soft, -soft, lf);
      if (inLung > 0) {
        const gu = ((u + 1) / 2) * (G - 1);
        const gv = ((v + 1) / 2) * (G - 1);
        const hilum = Math.exp(-((au - 0.22) ** 2 + (v + 0.05) ** 2) / 0.02);
        let lung = 0.2 + a.markings * sampleBilinear(markings, G, G, gu, gv) + 0.04 * hilum;
        // Pneumothorax: beyond the collapsed lung's edge, darker and without markings.
        const ptx = p.pneumothorax[side];
        if (ptx && v < 0.32) {
          const d = wallDistance(u, v);
          const space = smoothstep(ptx.gap + 0.01, ptx.gap - 0.01, d);
          lung = (lung + 0.03) * (1 - space) + 0.05 * space;
          lung += 0.12 * Math.exp(-((d - ptx.gap) ** 2) / (2 * 0.012 ** 2)) * smoothstep(0.3, 0.2, v);
        }
        // Focal opacities (patchy consolidation).
        for (const o of p.opacities) {
          const d2 = (u - o.u) ** 2 + (v - o.v) ** 2;
          if (d2 > 9 * o.radius * o.radius) continue;
          lung += o.amplitude * Math.exp(-d2 / (2 * o.radius * o.radius)) * (1 + 0.2 * sampleBilinear(patches, G, G, gu, gv));
        }
        // Effusion: fluid fills the base up to a meniscus that climbs laterally.
        const eff = p.effusion[side];
        if (eff) {
          const lateralness = Math.min(1, Math.max(0, (au - LUNG.medialU) / (LUNG.lateralU - LUNG.medialU)));
          const surface = diaphragmV(LUNG.lateralU, side) - eff.depth - 0.1 * lateralness;
          const fluid = smoothstep(surface - 0.03, surface + 0.03, v);
          lung = lung * (1 - fluid) + (a.softTissue + 0.04) * fluid;
        }
        I = I * (1 - inLung) + lung * inLung;
      }
      // Heart (over the mediastinum).
      const hk = inHeart(heart, u, v);
      const inHeartCov = smoothstep(1.08, 0.92, hk);
      I = Math.max(I, (0.7 + 0.02 * (v - heart.cv)) * inHeartCov);
      // Ribs: posterior arcs over each hemithorax, faint through heart and mediastinum.
      if (au > 0.06 && au < 0.88 && v > -0.9 && v < dia + 0.05) {
        const through = 1 - 0.75 * Math.max(inHeartCov, smoothstep(0.16, 0.1, au));
        for (const rv of ribsV) {
          const arc = rv + 0.28 * ((au - 0.5) / 0.4) ** 2 - 0.08;
          const dv = Math.abs(v - arc);
          if (dv < 0.06) I += 0.08 * through * body * Math.exp(-(dv * dv) / (2 * 0.018 ** 2));
        }
      }
      // Clavicles.
      if (v < -0.55) {
        const t = Math.min(1, Math.max(0, (au - 0.12) / 0.66));
        const cv = -0.7 - 0.12 * t;
        const dv = Math.abs(v - cv);
        if (au > 0.1 && au < 0.8) I += 0.09 * Math.exp(-(dv * dv) / (2 * 0.02 ** 2));
      }
      img[y * S + x] = Math.pow(Math.min(1, Math.max(0, I)), a.gamma);
    }
  }
  let raster: Raster = { width: S, height: S, channels: 1, data: gaussianBlur(img, S, S, 1, (a.blur * S) / 64) };
  if (out !== S) raster = resize(raster, out, out, 'area');
  addNoiseInPlace(raster.data, a.noise, itemRandom(p.seed, 'cxr-noise'));
  return raster;
}

export interface RenderedCxr {
  image: Raster;
  params: CxrRenderParams;
  /** A free-text report of the drawn findings. */
  report: string;
}

/** One valid chest X-ray phantom with its parameters and a report of its findings. */
export function renderCxr(opts: { seed: number; size?: number; findings?: CxrFindings; rates?: FindingRates }): RenderedCxr {
  const params = sampleCxrParams(opts);
  const report = writeReport(params.findings, itemRandom(opts.seed, 'cxr-report'), {
    effusion: { right: params.effusion.right?.size ?? null, left: params.effusion.left?.size ?? null },
    pneumothorax: { right: params.pneumothorax.right?.size ?? null, left: params.pneumothorax.left?.size ?? null },
  });
  return { image: drawCxr(params), params, report };
}
