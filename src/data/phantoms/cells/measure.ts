// Measuring a blood-cell image from its pixels alone (any size, grey or RGB, real,
// rendered or generated): white balance against the slide background, optical
// density, nucleus and cell segmentation, and the quantities the checklist asks
// about. Everything is computed on a 64-px working copy, so 32-px and 64-px images
// are judged by the same thresholds.
import { type Raster, withChannels } from '../../raster.js';
import { resize } from '../../resize.js';
import { gaussianBlur, quantile, whiteTopHat } from '../filters.js';
import { componentMask, convexHullArea, dilate, erode, fillHoles, labelComponents, maskArea, prominentPeaks } from '../segmentation.js';

export const WORKING_SIZE = 64;

export interface CellMeasurements {
  /** A stained object was found near the image centre. */
  found: boolean;
  /** Background (slide) colour used for white balance. */
  background: [number, number, number];
  /** Equivalent diameter of the central cell / image width. */
  cellDiameter: number;
  /** Nucleus area / cell area (0 without a nucleus). */
  ncRatio: number;
  /** Nucleus area / image area. */
  nucleusArea: number;
  /** Separate nuclear masses (density peaks that stand out by their prominence). */
  lobes: number;
  /** Nucleus area / its convex hull's area (1 = convex). */
  solidity: number;
  /** Red-channel optical density of the nucleus (mean of its denser half). */
  chromatinDensity: number;
  /** Median optical density of the cytoplasm: red channel (azure) and green − red (eosin). */
  cytoplasm: { azure: number; eosin: number };
  /** Share of the cytoplasm covered by purple (red-channel OD) and orange (blue − red OD) granules. */
  granules: { purple: number; orange: number; /** Share of the cell covered by dense dots smaller than a nuclear lobe (top-hat). */ speckle: number };
  /** Clear round spots in the cytoplasm. */
  vacuoles: number;
}

/** Thresholds of the measurement (optical densities relative to the background; lengths in 64-px pixels). */
export const MEASURE = {
  nucleusGrow: 0.47,
  nucleusSeed: 0.55,
  /** Nucleus pieces smaller than this are granules or debris. */
  nucleusMinArea: 6,
  /** …and so are pieces smaller than this share of the largest piece. */
  lobeShareOfLargest: 0.2,
  /** Chroma distance from the background where the cell ends. */
  cellEdge: 0.07,
  lobeProminence: 0.2,
  lobeMinArea: 8,
  /** Red-channel OD of a basophilic (dark purple) granule pixel. */
  purpleGranule: 0.55,
  /** Blue − red OD of an eosinophilic (orange) granule pixel. */
  orangeGranule: 0.22,
  /** Top-hat height (red-channel OD) of a granule pixel. */
  granuleTopHat: 0.25,
  /** A vacuole's summed R+G+B optical density is at most this share of the cytoplasm's… */
  vacuoleContrast: 0.55,
  /** …and at most this (nearly as clear as the background). */
  vacuoleMaxDensity: 0.42,
};

function toWorking(image: Raster): Raster {
  const rgb = withChannels(image, 3);
  if (rgb.width === WORKING_SIZE && rgb.height === WORKING_SIZE) return rgb;
  const up = rgb.width < WORKING_SIZE || rgb.height < WORKING_SIZE;
  return resize(rgb, WORKING_SIZE, WORKING_SIZE, up ? 'bilinear' : 'area');
}

/** Per-channel median of the brightest 15% of pixels: the slide between cells. */
function backgroundColour(img: Raster): [number, number, number] {
  const n = img.width * img.height;
  const sum = new Float32Array(n);
  for (let i = 0; i < n; i++) sum[i] = img.data[3 * i]! + img.data[3 * i + 1]! + img.data[3 * i + 2]!;
  const t = quantile(sum, 0.85);
  const ch: number[][] = [[], [], []];
  for (let i = 0; i < n; i++) if (sum[i]! >= t) for (let c = 0; c < 3; c++) ch[c]!.push(img.data[3 * i + c]!);
  return ch.map((v) => Math.max(0.05, quantile(v, 0.5))) as [number, number, number];
}

const RAYS = 64;

/**
 * The cell as a solid region: pixels whose colour differs from the background by at
 * least `edge`, the component at (cx, cy) (or nearest to it) with its holes (vacuoles)
 * filled; then, as rays from the centre, clipped to 1.25× the median ray so a
 * neighbour touching the cell does not count as cell.
 */
function castRays(chroma: Float32Array, W: number, cx: number, cy: number, edge: number): Float32Array {
  const m = new Uint8Array(W * W);
  for (let i = 0; i < m.length; i++) m[i] = chroma[i]! >= edge ? 1 : 0;
  const { labels, components } = labelComponents(m, W, W, 8);
  let label = labels[Math.round(cy) * W + Math.round(cx)]!;
  if (!label && components.length) {
    const near = components.filter((c) => c.area >= 3).sort((a, b) => Math.hypot(a.cx - cx, a.cy - cy) - Math.hypot(b.cx - cx, b.cy - cy))[0];
    label = near?.label ?? 0;
  }
  const radii = new Float32Array(RAYS);
  if (!label) return radii;
  const solid = fillHoles(componentMask(labels, label), W, W);
  const rmax = 0.46 * W;
  for (let k = 0; k < RAYS; k++) {
    const a = (2 * Math.PI * k) / RAYS;
    const dx = Math.cos(a);
    const dy = Math.sin(a);
    let r = 0;
    let inside = false;
    let last = 0;
    for (; r < rmax; r += 0.5) {
      const x = Math.round(cx + r * dx);
      const y = Math.round(cy + r * dy);
      const on = x >= 0 && y >= 0 && x < W && y < W && solid[y * W + x] === 1;
      if (on) {
        inside = true;
        last = r;
      } else if (inside) break;
    }
    radii[k] = inside ? last + 0.5 : 0;
  }
  const rMed = quantile(radii, 0.5);
  for (let k = 0; k < RAYS; k++) radii[k] = Math.min(radii[k]!, 1.25 * rMed);
  return radii;
}

function raysToMask(radii: Float32Array, W: number, cx: number, cy: number): Uint8Array {
  const cell = new Uint8Array(W * W);
  const step = (2 * Math.PI) / RAYS;
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const d = Math.hypot(dx, dy);
      if (d > 0.47 * W) continue;
      const k = Math.round((Math.atan2(dy, dx) + 2 * Math.PI) / step) % RAYS;
      cell[y * W + x] = d <= radii[k]! ? 1 : 0;
    }
  }
  return cell;
}

/** Masks behind a measurement (64×64, row-major), for inspection and overlays. */
export interface CellMasks {
  cell: Uint8Array;
  nucleus: Uint8Array;
  cytoplasm: Uint8Array;
  vacuoles: Uint8Array;
}

/** Measures the centred cell. Pure function of the pixels. */
export function measureCell(image: Raster): CellMeasurements {
  return analyseCell(image).measurements;
}

/** `measureCell` plus the masks it measured on. */
export function analyseCell(image: Raster): { measurements: CellMeasurements; masks: CellMasks } {
  const W = WORKING_SIZE;
  const none = (): CellMasks => ({ cell: new Uint8Array(W * W), nucleus: new Uint8Array(W * W), cytoplasm: new Uint8Array(W * W), vacuoles: new Uint8Array(W * W) });
  const img = toWorking(image);
  const n = W * W;
  const bg = backgroundColour(img);
  const T = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) T[3 * i + c] = Math.min(1.5, Math.max(0.02, img.data[3 * i + c]! / bg[c]!));
  const Ts = gaussianBlur(T, W, W, 3, 0.6);
  const Tr = gaussianBlur(T, W, W, 3, 1.2);
  const oR = new Float32Array(n);
  const oG = new Float32Array(n);
  const oB = new Float32Array(n);
  const chroma = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    oR[i] = -Math.log(Ts[3 * i]!);
    oG[i] = -Math.log(Ts[3 * i + 1]!);
    oB[i] = -Math.log(Ts[3 * i + 2]!);
    chroma[i] = Math.hypot(Tr[3 * i]! - 1, Tr[3 * i + 1]! - 1, Tr[3 * i + 2]! - 1);
  }
  const empty: CellMeasurements = {
    found: false,
    background: bg,
    cellDiameter: 0,
    ncRatio: 0,
    nucleusArea: 0,
    lobes: 0,
    solidity: 0,
    chromatinDensity: 0,
    cytoplasm: { azure: 0, eosin: 0 },
    granules: { purple: 0, orange: 0, speckle: 0 },
    vacuoles: 0,
  };

  // Nucleus candidates: hysteresis on red-channel density, big pieces only.
  const grow = new Uint8Array(n);
  for (let i = 0; i < n; i++) grow[i] = oR[i]! >= MEASURE.nucleusGrow ? 1 : 0;
  const nucComps = labelComponents(grow, W, W, 8);
  const centre = (W - 1) / 2;
  const kept = new Set<number>();
  const peak = new Float32Array(nucComps.components.length + 1);
  for (let i = 0; i < n; i++) {
    const l = nucComps.labels[i]!;
    if (l && oR[i]! > peak[l]!) peak[l] = oR[i]!;
  }
  // Pieces far smaller than the largest are granules, not lobes.
  const central = nucComps.components.filter((c) => c.area >= MEASURE.nucleusMinArea && peak[c.label]! >= MEASURE.nucleusSeed && Math.hypot(c.cx - centre, c.cy - centre) <= 0.24 * W);
  const largest = central.reduce((m, c) => Math.max(m, c.area), 0);
  for (const c of central) if (c.area >= MEASURE.lobeShareOfLargest * largest) kept.add(c.label);
  let nucleus: Uint8Array = new Uint8Array(n);
  for (let i = 0; i < n; i++) nucleus[i] = kept.has(nucComps.labels[i]!) ? 1 : 0;

  // Cell centre: the nucleus, else the stained object nearest the centre.
  let cx = centre;
  let cy = centre;
  if (kept.size > 0) {
    let sx = 0;
    let sy = 0;
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (!nucleus[i]) continue;
      sx += i % W;
      sy += Math.floor(i / W);
      s++;
    }
    cx = sx / s;
    cy = sy / s;
  } else {
    const stained = new Uint8Array(n);
    for (let i = 0; i < n; i++) stained[i] = chroma[i]! >= 0.1 ? 1 : 0;
    const comps = labelComponents(stained, W, W, 8).components.filter((c) => c.area >= 4 && Math.hypot(c.cx - centre, c.cy - centre) <= 0.2 * W);
    if (comps.length === 0) return { measurements: empty, masks: none() };
    comps.sort((a, b) => Math.hypot(a.cx - centre, a.cy - centre) - Math.hypot(b.cx - centre, b.cy - centre));
    cx = comps[0]!.cx;
    cy = comps[0]!.cy;
  }
  if (chroma[Math.round(cy) * W + Math.round(cx)]! < MEASURE.cellEdge && kept.size === 0) return { measurements: empty, masks: none() };

  // Cell outline: rays from the centre to where the colour fades into the background;
  // a second pass moves the edge to half the cytoplasm's own contrast.
  let outline = castRays(chroma, W, cx, cy, MEASURE.cellEdge);
  let cell = raysToMask(outline, W, cx, cy);
  {
    const away = dilate(nucleus, W, W, 1.5);
    const vals: number[] = [];
    for (let i = 0; i < n; i++) if (cell[i] && !away[i]) vals.push(chroma[i]!);
    const contrast = vals.length >= 6 ? quantile(vals, 0.8) : MEASURE.cellEdge * 2;
    const edge = Math.min(0.2, Math.max(MEASURE.cellEdge, 0.5 * contrast));
    if (edge > MEASURE.cellEdge) {
      outline = castRays(chroma, W, cx, cy, edge);
      cell = raysToMask(outline, W, cx, cy);
    }
  }
  const cellArea = maskArea(cell);
  if (cellArea < 3) return { measurements: empty, masks: none() };
  const cellLoose = dilate(cell, W, W, 1.5);
  for (let i = 0; i < n; i++) nucleus[i] = nucleus[i]! & cellLoose[i]!;
  nucleus = fillHoles(nucleus, W, W);
  const nucleusPx = maskArea(nucleus);

  // Nucleus form: lobes (persistent density peaks), solidity, chromatin density.
  let lobes = 0;
  let solidity = 0;
  let chromatin = 0;
  if (nucleusPx >= MEASURE.nucleusMinArea) {
    const dens = gaussianBlur(oR, W, W, 1, 0.6);
    lobes = prominentPeaks(dens, nucleus, W, W, MEASURE.lobeProminence, MEASURE.lobeMinArea).length;
    solidity = nucleusPx / Math.max(1, convexHullArea(nucleus, W, W));
    const vals: number[] = [];
    for (let i = 0; i < n; i++) if (nucleus[i]) vals.push(oR[i]!);
    vals.sort((a, b) => b - a);
    const top = vals.slice(0, Math.max(1, Math.ceil(vals.length / 2)));
    chromatin = top.reduce((s, v) => s + v, 0) / top.length;
  }

  // Cytoplasm: the cell without the nucleus (and a pixel around it).
  const nucleusNear = nucleusPx > 0 ? dilate(nucleus, W, W, 1) : nucleus;
  const inner = erode(cell, W, W, 1);
  const cyto = new Uint8Array(n);
  for (let i = 0; i < n; i++) cyto[i] = inner[i]! && !nucleusNear[i] ? 1 : 0;
  const cyto2 = new Uint8Array(n);
  for (let i = 0; i < n; i++) cyto2[i] = cell[i]! && !nucleusNear[i] ? 1 : 0;
  const cytoRegion = maskArea(cyto) >= 6 ? cyto : maskArea(cyto2) >= 6 ? cyto2 : cell;
  // The cytoplasm's own colour: its denser pixels (50th–90th percentile of total
  // density), since its rim blends into the background and its inner edge into the nucleus.
  const dens: number[] = [];
  for (let i = 0; i < n; i++) if (cytoRegion[i]) dens.push(oR[i]! + oG[i]! + oB[i]!);
  const lo = quantile(dens, 0.5);
  const hi = quantile(dens, 0.9);
  let az = 0;
  let eo = 0;
  let cnt = 0;
  for (let i = 0; i < n; i++) {
    if (!cytoRegion[i]) continue;
    const d = oR[i]! + oG[i]! + oB[i]!;
    if (d < lo || d > hi) continue;
    az += oR[i]!;
    eo += oG[i]! - oR[i]!;
    cnt++;
  }
  const cytoplasm = cnt > 0 ? { azure: az / cnt, eosin: eo / cnt } : { azure: 0, eosin: 0 };

  // Granules: the share of the cytoplasm covered by dark purple (basophilic) or
  // orange (eosinophilic) dots. The nucleus and a pixel around it are excluded.
  let purplePx = 0;
  let orangePx = 0;
  let cytoPx = 0;
  for (let i = 0; i < n; i++) {
    if (!cyto2[i]) continue;
    cytoPx++;
    if (oR[i]! >= MEASURE.purpleGranule) purplePx++;
    if (oB[i]! - oR[i]! >= MEASURE.orangeGranule) orangePx++;
  }
  // Purple granules: dense dots smaller than a nuclear lobe, found by a top-hat (the
  // density minus its opening by a 2-px disc) anywhere in the cell, nucleus included
  // (basophil granules lie over it).
  const hat = whiteTopHat(oR, W, W, 2);
  let hatPx = 0;
  for (let i = 0; i < n; i++) if (inner[i] && hat[i]! >= MEASURE.granuleTopHat) hatPx++;
  const speckle = hatPx / cellArea;
  const granules = { purple: cytoPx > 0 ? purplePx / cytoPx : 0, orange: cytoPx > 0 ? orangePx / cytoPx : 0, speckle };

  // Vacuoles: clear spots enclosed by cytoplasm (not touching the cell's rim), much
  // clearer than the cytoplasm around them.
  const rim = erode(cell, W, W, 1);
  const cytoDens: number[] = [];
  for (let i = 0; i < n; i++) if (cyto2[i]) cytoDens.push(oR[i]! + oG[i]! + oB[i]!);
  const clearBelow = Math.min(MEASURE.vacuoleMaxDensity, MEASURE.vacuoleContrast * quantile(cytoDens, 0.5));
  const clear = new Uint8Array(n);
  for (let i = 0; i < n; i++) clear[i] = cell[i]! && oR[i]! + oG[i]! + oB[i]! <= clearBelow ? 1 : 0;
  const vacLabels = labelComponents(clear, W, W, 8);
  const touchesRim = new Uint8Array(vacLabels.components.length + 1);
  for (let i = 0; i < n; i++) if (vacLabels.labels[i] && !rim[i]) touchesRim[vacLabels.labels[i]!] = 1;
  const vacMask = new Uint8Array(n);
  let vacuoles = 0;
  for (const c of vacLabels.components) {
    if (touchesRim[c.label] || c.area < 2 || c.area > 40) continue;
    vacuoles++;
    for (let i = 0; i < n; i++) if (vacLabels.labels[i] === c.label) vacMask[i] = 1;
  }

  const measurements: CellMeasurements = {
    found: true,
    background: bg,
    cellDiameter: (2 * Math.sqrt(cellArea / Math.PI)) / W,
    ncRatio: nucleusPx / cellArea,
    nucleusArea: nucleusPx / n,
    lobes,
    solidity,
    chromatinDensity: chromatin,
    cytoplasm,
    granules,
    vacuoles,
  };
  return { measurements, masks: { cell, nucleus, cytoplasm: cyto2, vacuoles: vacMask } };
}


