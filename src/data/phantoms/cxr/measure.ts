// Measuring a chest X-ray from its pixels: lung fields (dark regions inside the
// body), the posture ψ = (sx, sy, tx, ty, θ) from the upper lung fields (which
// effusions and cardiomegaly leave alone), then — in the pose-corrected (canonical)
// frame — the cardiothoracic ratio, costophrenic-angle density per side, focal
// opacities and their lobe, and an airless band along the chest wall (pneumothorax).
// The reference positions come from an atlas: the same measurement on a clean,
// reference-pose phantom, computed once.
import { type Raster, withChannels } from '../../raster.js';
import { resize } from '../../resize.js';
import { gaussianBlur, quantile, sampleBilinear } from '../filters.js';
import { componentMask, erode, fillHoles, labelComponents, prominentPeaks } from '../segmentation.js';
import { APEX_COLUMNS, BASE_COLUMNS, COSTOPHRENIC, diaphragmV, HEART_ROWS, heartFor, inHeart, LUNG_LEVEL, lobeAt, PNEUMOTHORAX_ROWS } from './anatomy.js';
import { type CxrPose, drawCxr, IDENTITY_POSE, paramsForFindings } from './render.js';
import { type CxrFindings, type Lobe, noFindings, type Side, SIDES } from './types.js';

export const CXR_WORKING_SIZE = 64;

export const CXR_MEASURE = {
  /** Cardiothoracic ratio above which the heart counts as enlarged. */
  cardiomegalyCtr: 0.5,
  /**
   * Fluid: score = how far the lateral lung base sits above the hemidiaphragm (canonical
   * units) + densityWeight × how much denser the costophrenic angle is than mid-lung.
   */
  effusion: { score: 0.14, densityWeight: 0.15 },
  /** Chest-wall band darker than the lung inside it (normalised intensity) that means air without lung. */
  pneumothorax: 0.05,
  /** Smoothed density above the lung's own that makes an opacity, and its least area (px at 64). */
  opacity: 0.2,
  opacityMinArea: 6,
  /** Peaks of one opacity region that stand out by this much count as separate opacities. */
  opacityProminence: 0.06,
  /** The heart's edge: this share of the way from lung to heart density (above opacities, below the heart). */
  heartEdge: 0.55,
};

export interface CxrMeasurements {
  /** Two lung fields were found. */
  found: boolean;
  pose: CxrPose;
  ctr: number;
  effusionScore: Record<Side, number>;
  /** The two effusion signs: costophrenic density above mid-lung, and how far the lateral lung base sits above the expected hemidiaphragm (canonical units). */
  effusionSigns: { density: Record<Side, number>; shape: Record<Side, number> };
  pneumothoraxScore: Record<Side, number>;
  opacities: Array<{ lobe: Lobe; u: number; v: number; strength: number }>;
  /** Findings seen, by the thresholds in CXR_MEASURE. */
  seen: CxrFindings;
}

interface LungGeometry {
  /** Upper-lung centroids (image px) of the patient's right and left lungs. */
  right: [number, number];
  left: [number, number];
  /** Mean apex height along the body axis, relative to the midpoint (px, negative = up). */
  apex: number;
  theta: number;
}

interface Atlas {
  geometry: LungGeometry;
  /** Canonical coordinates of the midpoint of the upper-lung centroids, and their distance. */
  mid: [number, number];
  distance: number;
  /** Canonical heights of each lung's apex and base (over the dome's outer slope). */
  vertical: Record<Side, { apex: number; base: number }>;
  lung: Uint8Array;
  sideOfPixel: Int8Array;
}

const W = CXR_WORKING_SIZE;
const C = (W - 1) / 2;
const H = W / 2;

function toWorking(image: Raster): Float32Array {
  const g = withChannels(image, 1);
  const r = g.width === W && g.height === W ? g : resize(g, W, W, g.width < W ? 'bilinear' : 'area');
  const lo = quantile(r.data, 0.02);
  const hi = quantile(r.data, 0.98);
  const span = hi - lo > 1e-6 ? hi - lo : 1;
  const out = new Float32Array(W * W);
  for (let i = 0; i < out.length; i++) out[i] = (r.data[i]! - lo) / span;
  return gaussianBlur(out, W, W, 1, 0.7);
}

/** The two lung fields: the largest central dark regions, holes (opacities) filled, ordered patient-right (image-left) first. */
function lungMasks(g: Float32Array, threshold: number): [Uint8Array, Uint8Array] | undefined {
  const dark = new Uint8Array(W * W);
  for (let i = 0; i < dark.length; i++) dark[i] = g[i]! < threshold ? 1 : 0;
  const { labels, components } = labelComponents(dark, W, W, 4);
  // Lungs are large, central, and meet the image border at most along a short stretch
  // (a chest a little off-centre); the dark air around the body hugs the border.
  const onBorder = new Int32Array(components.length + 1);
  for (let i = 0; i < labels.length; i++) {
    const x = i % W;
    const y = (i - x) / W;
    if (labels[i] && (x === 0 || y === 0 || x === W - 1 || y === W - 1)) onBorder[labels[i]!]!++;
  }
  const big = components
    .filter((c) => c.area >= 0.015 * W * W && onBorder[c.label]! <= 0.02 * c.area && Math.abs(c.cx - C) < 0.42 * W && Math.abs(c.cy - C) < 0.4 * W)
    .sort((a, b) => b.area - a.area);
  if (big.length < 2) return undefined;
  const [a, b] = big[0]!.cx <= big[1]!.cx ? [big[0]!, big[1]!] : [big[1]!, big[0]!];
  return [fillHoles(componentMask(labels, a.label), W, W), fillHoles(componentMask(labels, b.label), W, W)];
}

function centroid(mask: Uint8Array, keep?: (x: number, y: number) => boolean): [number, number, number] {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const x = i % W;
    const y = (i - x) / W;
    if (keep && !keep(x, y)) continue;
    sx += x;
    sy += y;
    n++;
  }
  return n ? [sx / n, sy / n, n] : [NaN, NaN, 0];
}

/**
 * Upper-lung centroids, body axis and apex, refined from the whole-lung estimate.
 * `upper` is the kept height in px below each apex (the lower lungs carry effusions and
 * the heart). The apex is a low quantile of height along the body axis.
 */
function lungGeometry(right: Uint8Array, left: Uint8Array, upper: number): LungGeometry {
  const [rx, ry] = centroid(right);
  const [lx, ly] = centroid(left);
  let theta = Math.atan2(ly - ry, lx - rx);
  let res: LungGeometry | undefined;
  for (let iter = 0; iter < 2; iter++) {
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    // Height along the body axis (perpendicular to the line between the lungs).
    const along = (x: number, y: number): number => -sin * (x - C) + cos * (y - C);
    const apexOf = (m: Uint8Array): number => {
      const hs: number[] = [];
      for (let i = 0; i < m.length; i++) if (m[i]) hs.push(along(i % W, Math.floor(i / W)));
      return quantile(hs, 0.02);
    };
    const ar = apexOf(right);
    const al = apexOf(left);
    const cr = centroid(right, (x, y) => along(x, y) <= ar + upper);
    const cl = centroid(left, (x, y) => along(x, y) <= al + upper);
    theta = Math.atan2(cl[1] - cr[1], cl[0] - cr[0]);
    const midAlong = along((cr[0] + cl[0]) / 2, (cr[1] + cl[1]) / 2);
    res = { right: [cr[0], cr[1]], left: [cl[0], cl[1]], apex: (ar + al) / 2 - midAlong, theta };
  }
  return res!;
}

/**
 * Per lung, along the body axis (px from the image centre): the apex (top over the
 * apical dome's columns) and the base over the outer slope of the hemidiaphragm (which
 * a small effusion leaves, and cardiomegaly reaches only on the left). Columns are
 * placed by the across-axis coordinate, already corrected for rotation, scale and shift.
 */
function verticalExtent(masks: [Uint8Array, Uint8Array], theta: number, sx: number, midAcross: number, midU: number): Record<Side, { apex: number; base: number }> {
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const out = {} as Record<Side, { apex: number; base: number }>;
  SIDES.forEach((side, k) => {
    const m = masks[k]!;
    let apex = Infinity;
    let base = -Infinity;
    for (let i = 0; i < m.length; i++) {
      if (!m[i]) continue;
      const x = (i % W) - C;
      const y = Math.floor(i / W) - C;
      const along = -sin * x + cos * y;
      const u = (cos * x + sin * y - midAcross) / (H * sx) + midU;
      const au = Math.abs(u);
      if (au >= APEX_COLUMNS[0] && au <= APEX_COLUMNS[1] && along < apex) apex = along;
      if (au >= BASE_COLUMNS[0] && au <= BASE_COLUMNS[1] && along > base) base = along;
    }
    out[side] = { apex, base };
  });
  return out;
}

let atlasCache: Atlas | undefined;

/** The reference measurement: a clean phantom at the reference pose (computed once). */
export function cxrAtlas(): Atlas {
  if (atlasCache) return atlasCache;
  const p = paramsForFindings(noFindings(), { size: W, seed: 0 });
  p.pose = { ...IDENTITY_POSE };
  p.ctr = 0.42;
  p.appearance = { gamma: 1, blur: 0.5, noise: 0, markings: 0.04, softTissue: 0.55 };
  const g = toWorking(drawCxr(p));
  const thr = lungThreshold(g);
  const masks = lungMasks(g, thr);
  if (!masks) throw new Error('cxr atlas: the reference phantom has no two lung fields (renderer and oracle disagree)');
  const geometry = lungGeometry(masks[0], masks[1], 0.7 * H);
  const toCanon = (px: number): number => (px - C) / H;
  const mid: [number, number] = [toCanon((geometry.right[0] + geometry.left[0]) / 2), toCanon((geometry.right[1] + geometry.left[1]) / 2)];
  const distance = Math.hypot(geometry.left[0] - geometry.right[0], geometry.left[1] - geometry.right[1]) / H;
  const lung = new Uint8Array(W * W);
  const sideOfPixel = new Int8Array(W * W);
  for (let i = 0; i < lung.length; i++) {
    lung[i] = masks[0][i]! | masks[1][i]!;
    sideOfPixel[i] = masks[0][i] ? 1 : masks[1][i] ? 2 : 0;
  }
  const vertical = verticalExtent(masks, 0, 1, (geometry.right[0] + geometry.left[0]) / 2 - C, mid[0]);
  atlasCache = {
    geometry,
    mid,
    distance,
    vertical: { right: { apex: vertical.right.apex / H, base: vertical.right.base / H }, left: { apex: vertical.left.apex / H, base: vertical.left.base / H } },
    lung,
    sideOfPixel,
  };
  return atlasCache;
}

/**
 * Otsu's threshold over the central thorax: lungs against everything denser. Values
 * above the 70th percentile are clipped to it, so a large bright heart or abdomen
 * cannot pull the split between soft tissue and bone.
 */
function lungThreshold(g: Float32Array): number {
  const vals: number[] = [];
  for (let y = Math.round(0.12 * W); y < Math.round(0.8 * W); y++) for (let x = Math.round(0.12 * W); x < Math.round(0.88 * W); x++) vals.push(g[y * W + x]!);
  const top = quantile(vals, 0.7);
  return otsu(vals.map((v) => Math.min(v, top)));
}

function otsu(vals: number[]): number {
  const bins = 64;
  const hist = new Float64Array(bins);
  for (const v of vals) hist[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]!++;
  let sumAll = 0;
  for (let b = 0; b < bins; b++) sumAll += b * hist[b]!;
  let wB = 0;
  let sumB = 0;
  let best = -1;
  let bestB = bins / 2;
  for (let b = 0; b < bins; b++) {
    wB += hist[b]!;
    if (!wB) continue;
    const wF = vals.length - wB;
    if (!wF) break;
    sumB += b * hist[b]!;
    const between = wB * wF * (sumB / wB - (sumAll - sumB) / wF) ** 2;
    if (between > best) {
      best = between;
      bestB = b;
    }
  }
  return (bestB + 1) / bins;
}

/** Canonical grid coordinate of pixel index i. */
function canon(i: number): [number, number] {
  const x = i % W;
  return [(x - C) / H, ((i - x) / W - C) / H];
}

function emptyMeasurements(): CxrMeasurements {
  return {
    found: false,
    pose: { ...IDENTITY_POSE },
    ctr: 0,
    effusionScore: { right: 0, left: 0 },
    effusionSigns: { density: { right: 0, left: 0 }, shape: { right: 0, left: 0 } },
    pneumothoraxScore: { right: 0, left: 0 },
    opacities: [],
    seen: noFindings(),
  };
}

/** Measures posture and findings of a chest X-ray. Pure function of the pixels. */
export function measureCxr(image: Raster): CxrMeasurements {
  const atlas = cxrAtlas();
  const g = toWorking(image);
  const thr = lungThreshold(g);
  const masks = lungMasks(g, thr);
  if (!masks) return emptyMeasurements();

  // Posture: scale from the distance between the upper lungs, rotation from their
  // axis, scale along the body from the apex, translation from their midpoint.
  let geo = lungGeometry(masks[0], masks[1], 0.7 * H);
  let s = Math.hypot(geo.left[0] - geo.right[0], geo.left[1] - geo.right[1]) / H / atlas.distance;
  geo = lungGeometry(masks[0], masks[1], 0.7 * H * s);
  s = Math.hypot(geo.left[0] - geo.right[0], geo.left[1] - geo.right[1]) / H / atlas.distance;
  const theta = geo.theta - atlas.geometry.theta;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  // Across the body: the midpoint of the upper lungs. Along it: lung height (apex to
  // base) gives the scale, taking the taller side (fluid or a large heart only raise a
  // base), and the apices give the position.
  const midAcross = cos * ((geo.right[0] + geo.left[0]) / 2 - C) + sin * ((geo.right[1] + geo.left[1]) / 2 - C);
  const tAcross = midAcross / H - s * atlas.mid[0];
  const vert = verticalExtent(masks, theta, s, midAcross, atlas.mid[0]);
  const ratios = SIDES.map((side) => (vert[side].base - vert[side].apex) / H / (atlas.vertical[side].base - atlas.vertical[side].apex)).filter(Number.isFinite);
  const sy = ratios.length ? Math.max(...ratios) : s;
  const apices = SIDES.map((side) => vert[side].apex / H - sy * atlas.vertical[side].apex).filter(Number.isFinite);
  const tAlong = apices.length ? apices.reduce((a, b) => a + b, 0) / apices.length : 0;
  const tx = cos * tAcross - sin * tAlong;
  const ty = sin * tAcross + cos * tAlong;
  const pose: CxrPose = { sx: s, sy, tx, ty, theta };

  // Resample into the canonical frame.
  const cg = new Float32Array(W * W);
  for (let i = 0; i < cg.length; i++) {
    const [u, v] = canon(i);
    const px = C + H * (tx + cos * s * u - sin * sy * v);
    const py = C + H * (ty + sin * s * u + cos * sy * v);
    cg[i] = px < -0.5 || py < -0.5 || px > W - 0.5 || py > W - 0.5 ? 0 : sampleBilinear(g, W, W, px, py);
  }
  const lungNow = new Uint8Array(W * W);
  for (let i = 0; i < lungNow.length; i++) lungNow[i] = cg[i]! < thr ? 1 : 0;

  // Reference densities: mid-lung per side, heart core.
  const region = (pred: (u: number, v: number) => boolean, inLung = true): number[] => {
    const out: number[] = [];
    for (let i = 0; i < cg.length; i++) {
      if (inLung && !atlas.lung[i]) continue;
      const [u, v] = canon(i);
      if (pred(u, v)) out.push(cg[i]!);
    }
    return out;
  };
  const within = (x: number, r: readonly [number, number]): boolean => x >= r[0] && x <= r[1];
  // The lung's own density per side: a low quantile over its upper and middle zones
  // (away from the chest wall), so one opacity or a pneumothorax barely moves it.
  const core = erode(atlas.lung, W, W, 2);
  const lungLevel = {} as Record<Side, number>;
  for (const side of SIDES) {
    const vals: number[] = [];
    for (let i = 0; i < cg.length; i++) {
      if (!core[i]) continue;
      const [u, v] = canon(i);
      if ((u < 0) === (side === 'right') && within(Math.abs(u), LUNG_LEVEL.au) && within(v, LUNG_LEVEL.v)) vals.push(cg[i]!);
    }
    lungLevel[side] = quantile(vals, 0.25);
  }
  const heart = heartFor(0.42);
  const heartLevel = quantile(region((u, v) => Math.abs(u - heart.cu) < 0.12 && Math.abs(v - heart.cv) < 0.08, false), 0.5);
  const lungMean = (lungLevel.right + lungLevel.left) / 2;
  const heartThr = lungMean + CXR_MEASURE.heartEdge * (heartLevel - lungMean);

  // Cardiothoracic ratio: widest heart row over the thorax width (lateral lung edges).
  const col = (u: number): number => Math.round(C + u * H);
  const heartWidths: number[] = [];
  for (let y = 0; y < W; y++) {
    const v = (y - C) / H;
    if (!within(v, HEART_ROWS)) continue;
    const start = col(heart.cu);
    let xr = start;
    while (xr > 1 && !(cg[y * W + xr - 1]! < heartThr && cg[y * W + xr - 2]! < heartThr)) xr--;
    let xl = start;
    while (xl < W - 2 && !(cg[y * W + xl + 1]! < heartThr && cg[y * W + xl + 2]! < heartThr)) xl++;
    heartWidths.push((xl - xr + 1) / H);
  }
  // Thorax width: lateral extent of the image's lung fields, mapped to the canonical frame.
  const rowMin = new Float32Array(W).fill(Infinity);
  const rowMax = new Float32Array(W).fill(-Infinity);
  for (const m of masks) {
    for (let i = 0; i < m.length; i++) {
      if (!m[i]) continue;
      const px = (i % W - C) / H - tx;
      const py = (Math.floor(i / W) - C) / H - ty;
      const u = (cos * px + sin * py) / s;
      const v = (-sin * px + cos * py) / sy;
      const row = Math.round(C + v * H);
      if (row < 0 || row >= W) continue;
      if (u < rowMin[row]!) rowMin[row] = u;
      if (u > rowMax[row]!) rowMax[row] = u;
    }
  }
  const thoraxWidths: number[] = [];
  for (let y = 0; y < W; y++) if (within((y - C) / H, [-0.35, 0.1]) && rowMax[y]! > rowMin[y]!) thoraxWidths.push(rowMax[y]! - rowMin[y]! + 1 / H);
  const heartWidth = heartWidths.length ? quantile(heartWidths, 0.9) : 0;
  const thoraxWidth = thoraxWidths.length ? quantile(thoraxWidths, 0.9) : 1;
  const ctr = heartWidth / thoraxWidth;

  // Effusion: fluid fills the costophrenic angle, so (a) it is as dense as soft tissue,
  // and (b) the lung's lateral base no longer dips below the dome of the hemidiaphragm.
  // Both from the canonical frame: (a) from intensities, (b) from the lung fields' outline.
  const bottom = new Float32Array(W).fill(-Infinity);
  for (const m of masks) {
    for (let i = 0; i < m.length; i++) {
      if (!m[i]) continue;
      const px = (i % W - C) / H - tx;
      const py = (Math.floor(i / W) - C) / H - ty;
      const u = (cos * px + sin * py) / s;
      const v = (-sin * px + cos * py) / sy;
      const c = Math.round(C + u * H);
      if (c >= 0 && c < W && v > bottom[c]!) bottom[c] = v;
    }
  }
  const effusionScore = {} as Record<Side, number>;
  const effusionDensity = {} as Record<Side, number>;
  const effusionShape = {} as Record<Side, number>;
  for (const side of SIDES) {
    const sgn = side === 'right' ? -1 : 1;
    const base = diaphragmV((COSTOPHRENIC.au[0] + COSTOPHRENIC.au[1]) / 2, side);
    const vals = region((u, v) => Math.sign(u) === sgn && within(Math.abs(u), COSTOPHRENIC.au) && within(v - base, COSTOPHRENIC.above));
    effusionDensity[side] = (vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0) - lungLevel[side];
    // How far the lateral lung base sits above where the hemidiaphragm should be.
    const lateral: number[] = [];
    for (let c = 0; c < W; c++) {
      const u = (c - C) / H;
      if (Math.sign(u) === sgn && within(Math.abs(u), COSTOPHRENIC.au) && Number.isFinite(bottom[c]!)) lateral.push(diaphragmV(u, side) - bottom[c]!);
    }
    effusionShape[side] = lateral.length ? quantile(lateral, 0.5) : 0;
    effusionScore[side] = effusionShape[side] + CXR_MEASURE.effusion.densityWeight * effusionDensity[side];
  }

  // Pneumothorax: along the lateral chest wall, a band darker than the lung (air
  // without lung markings). Per row of the canonical frame, from the body's edge
  // inwards: soft tissue, then the lung field; the 1–3 px inside the field's edge are
  // compared with the medial lung's density; median over rows.
  const pneumothoraxScore = {} as Record<Side, number>;
  for (const side of SIDES) {
    const dir = side === 'right' ? 1 : -1; // inward direction in x
    const rows: number[] = [];
    for (let y = 0; y < W; y++) {
      const v = (y - C) / H;
      if (!within(v, PNEUMOTHORAX_ROWS)) continue;
      let x = side === 'right' ? 0 : W - 1;
      const inside = (xx: number): boolean => xx >= 0 && xx < W;
      while (inside(x) && (side === 'right' ? x < C : x > C) && !(cg[y * W + x]! >= thr)) x += dir; // outside the body
      while (inside(x) && (side === 'right' ? x < C : x > C) && cg[y * W + x]! >= thr) x += dir; // chest wall
      if (!(side === 'right' ? x < C - 3 : x > C + 3)) continue;
      const band = (cg[y * W + x + dir]! + cg[y * W + x + 2 * dir]! + cg[y * W + x + 3 * dir]!) / 3;
      rows.push(lungLevel[side] - band);
    }
    pneumothoraxScore[side] = rows.length ? quantile(rows, 0.5) : 0;
  }

  const seen = noFindings();
  seen.cardiomegaly = ctr > CXR_MEASURE.cardiomegalyCtr;
  for (const side of SIDES) {
    seen.effusion[side] = effusionScore[side] > CXR_MEASURE.effusion.score;
    seen.pneumothorax[side] = pneumothoraxScore[side] > CXR_MEASURE.pneumothorax;
  }

  // Where opacities are sought: the atlas lungs away from their edges, without the
  // heart as measured (an enlarged heart covers lung) and the mediastinum.
  const measuredHeart = heartFor(ctr);
  const lungFilled = erode(atlas.lung, W, W, 2);
  for (let i = 0; i < lungFilled.length; i++) {
    const [u, v] = canon(i);
    if (Math.abs(u) < 0.14 || inHeart(measuredHeart, u, v) < 1.5) lungFilled[i] = 0;
  }
  const inner1 = lungFilled;

  // Focal opacities: blobs denser than the lung, assigned to a lobe zone by their peak.
  const resid = new Float32Array(W * W);
  for (let i = 0; i < cg.length; i++) {
    const [u] = canon(i);
    resid[i] = cg[i]! - lungLevel[u < 0 ? 'right' : 'left'];
  }
  const sm = gaussianBlur(resid, W, W, 1, 1.2);
  const cand = new Uint8Array(W * W);
  for (let i = 0; i < cg.length; i++) {
    if (!inner1[i]) continue;
    const [u, v] = canon(i);
    if (seen.effusion[u < 0 ? 'right' : 'left'] && v > 0.2) continue;
    cand[i] = sm[i]! > CXR_MEASURE.opacity ? 1 : 0;
  }
  // Two neighbouring opacities can merge into one region: each prominent peak counts.
  const blobs = labelComponents(cand, W, W, 8);
  for (const b of blobs.components) if (b.area < CXR_MEASURE.opacityMinArea) for (let i = 0; i < cand.length; i++) if (blobs.labels[i] === b.label) cand[i] = 0;
  const opacities: CxrMeasurements['opacities'] = prominentPeaks(sm, cand, W, W, CXR_MEASURE.opacityProminence, 4).map((pk) => {
    const [u, v] = canon(pk.index);
    return { lobe: lobeAt(u, v), u, v, strength: pk.height };
  });
  seen.opacity = [...new Set(opacities.map((o) => o.lobe))].sort();
  return { found: true, pose, ctr, effusionScore, effusionSigns: { density: effusionDensity, shape: effusionShape }, pneumothoraxScore, opacities, seen };
}
