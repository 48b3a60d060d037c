// Blood-cell phantoms: a centred, stained white cell (or platelet) among pale
// erythrocytes, as in a CellaVision crop (pbc64). Rendering is two steps so the truth
// is explicit: `sampleCellParams` draws every parameter (size, rotation, nucleus
// geometry, colours, stain, blur, noise) from the class's appearance; `drawCell`
// paints exactly those parameters. Broken variants (broken.ts) edit the parameters
// in between. Geometry is drawn at 64 px (or the output size, if larger) with
// anti-aliased shapes and shrunk by area averaging, so 32-px phantoms are faithful
// miniatures of 64-px ones.
import { createRaster, type Raster } from '../../raster.js';
import { resize } from '../../resize.js';
import { addNoiseInPlace, gaussianBlur, smoothNoise } from '../filters.js';
import { chance, inRange, itemRandom, normal, type Random, randomInt } from '../random.js';
import { addCoverage, capsule, composite, disc, ellipse, paintShape, radialBlob, type Shape } from '../shapes.js';
import { CELL_APPEARANCE, type GranuleAppearance, type NucleusDrawForm, RBC_BODY, RBC_PALLOR, type RGB, VACUOLE } from './appearance.js';
import type { CellCriterion, CellLabel } from './types.js';

export interface Harmonic {
  k: number;
  amp: number;
  phase: number;
}

/** Everything that determines a rendered cell image. Lengths are fractions of the image width unless noted. */
export interface CellRenderParams {
  label: CellLabel;
  size: number;
  seed: number;
  diameter: number;
  /** Cell centre offset from the image centre. */
  offset: [number, number];
  /** Orientation of the nucleus arrangement (radians). */
  rotation: number;
  outline: Harmonic[];
  nucleus: {
    form: NucleusDrawForm;
    lobes: number;
    /** Nucleus area / cell area (target). */
    nc: number;
    colour: RGB;
    texture: number;
    /** Eccentric placement, as a fraction of the free space between nucleus and cell edge. */
    eccentricity: number;
  };
  cytoplasmColour: RGB;
  granules: (Omit<GranuleAppearance, 'count' | 'radius'> & { count: number; radius: number }) | null;
  vacuoles: { count: number; radius: number };
  erythrocytes: { count: number; radius: number; gap: number };
  stain: { odScale: [number, number, number]; background: [number, number, number]; tint: 'peach' | 'lavender' };
  /** Gaussian blur σ in pixels at 64 px. */
  blur: number;
  /** Noise σ (intensity units) at the output size. */
  noise: number;
  /** Set for deliberately broken renderings: which criterion they violate. */
  broken?: { kind: string; criterion: CellCriterion };
}

export interface RenderedCell {
  image: Raster;
  params: CellRenderParams;
  /** Counts actually drawn. */
  placed: CellPlacement;
}

/** Lobes are ellipses elongated along the chain (segments, not beads); area is kept. */
const LOBE_ELONGATION = 1.2;

const PEACH: RGB = [1.0, 0.9, 0.79];
const LAVENDER: RGB = [0.9, 0.88, 0.97];

/** Draws the parameters of one phantom of `label` (deterministic in seed). */
export function sampleCellParams(label: CellLabel, opts: { size?: number; seed: number }): CellRenderParams {
  const a = CELL_APPEARANCE[label];
  const r = itemRandom(opts.seed, 'cell-params', label);
  const outline: Harmonic[] = [2, 3, 4].map((k) => ({ k, amp: a.wobble * (0.4 + 0.6 * r()) / (k - 1), phase: r() * 2 * Math.PI }));
  const tint = chance(r, 0.2) ? 'lavender' : 'peach';
  const base = tint === 'lavender' ? LAVENDER : PEACH;
  const s = inRange(r, [0.93, 1.07]);
  const rbcScale = inRange(r, [0.1, 0.118]);
  return {
    label,
    size: opts.size ?? 64,
    seed: opts.seed,
    diameter: inRange(r, a.diameter),
    offset: [normal(r) * 0.012, normal(r) * 0.012],
    rotation: r() * 2 * Math.PI,
    outline,
    nucleus: {
      form: a.nucleusForm,
      lobes: randomInt(r, a.lobes[0], a.lobes[1]),
      nc: inRange(r, a.nc),
      colour: a.nucleusColour,
      texture: a.chromatinTexture,
      eccentricity: inRange(r, [0, 0.6]),
    },
    cytoplasmColour: a.cytoplasmColour,
    granules: a.granules ? { colour: a.granules.colour, overNucleus: a.granules.overNucleus, count: randomInt(r, a.granules.count[0], a.granules.count[1]), radius: inRange(r, a.granules.radius) } : null,
    vacuoles: { count: randomInt(r, a.vacuoles[0], a.vacuoles[1]), radius: inRange(r, [2.2, 2.7]) },
    erythrocytes: { count: randomInt(r, 8, 18), radius: rbcScale, gap: inRange(r, [0.05, 0.1]) },
    stain: {
      odScale: [0, 1, 2].map(() => s * (1 + 0.04 * normal(r))) as [number, number, number],
      background: base.map((v) => Math.min(1, v + 0.015 * normal(r))) as [number, number, number],
      tint,
    },
    blur: inRange(r, [0.35, 0.8]),
    noise: inRange(r, [0.004, 0.015]),
  };
}

/** The nucleus as shapes; `cut` shapes are subtracted (the kidney's notch). */
function nucleusShapes(p: CellRenderParams, cx: number, cy: number, R: number, k: number, r: Random): { add: Shape[]; cut: Shape[] } {
  const n = p.nucleus;
  const th = p.rotation;
  const cellArea = Math.PI * R * R;
  const area = n.nc * cellArea;
  if (n.form === 'none' || area <= 0) return { add: [], cut: [] };
  if (n.form === 'lobed' && n.lobes >= 2) {
    const count = n.lobes;
    const gap = 2.6 * k;
    let rl = Math.sqrt(area / (count * Math.PI));
    const filament = 0.5 * k;
    const centres: Array<[number, number]> = [];
    if (count === 2) {
      const d = LOBE_ELONGATION * rl + gap / 2;
      const bend = 0.15 * rl;
      centres.push([cx + d * Math.cos(th) - bend * Math.sin(th), cy + d * Math.sin(th) + bend * Math.cos(th)]);
      centres.push([cx - d * Math.cos(th) - bend * Math.sin(th), cy - d * Math.sin(th) + bend * Math.cos(th)]);
    } else {
      // Lobes on an arc (C or S shape), as far out as the cell allows.
      for (;;) {
        const rho = 0.9 * R - rl;
        const step = 2 * Math.asin(Math.min(1, (2 * LOBE_ELONGATION * rl + gap) / (2 * rho)));
        if ((count - 1) * step <= (290 * Math.PI) / 180 || rl < 1.5 * k) {
          const start = th - ((count - 1) * step) / 2;
          for (let i = 0; i < count; i++) {
            const a = start + i * step + 0.05 * normal(r);
            const rr = rho * (1 - 0.06 * r());
            centres.push([cx + rr * Math.cos(a), cy + rr * Math.sin(a)]);
          }
          break;
        }
        rl *= 0.95;
      }
    }
    const add: Shape[] = [];
    centres.forEach(([x, y], i) => {
      const ang = Math.atan2(y - cy, x - cx) + Math.PI / 2;
      const lr = rl * (0.92 + 0.16 * r());
      add.push(ellipse(x, y, lr * LOBE_ELONGATION, lr / LOBE_ELONGATION, count === 2 ? ang + Math.PI / 2 : ang));
      if (i > 0) add.push(capsule(centres[i - 1]![0], centres[i - 1]![1], x, y, filament));
    });
    return { add, cut: [] };
  }
  if (n.form === 'kidney') {
    const r0 = Math.sqrt(area / (Math.PI * 0.88));
    const a = 1.2 * r0;
    const b = 0.92 * r0;
    const free = Math.max(0, R - a);
    const ox = cx - Math.cos(th + Math.PI / 2) * free * 0.35 * n.eccentricity;
    const oy = cy - Math.sin(th + Math.PI / 2) * free * 0.35 * n.eccentricity;
    const d = 1.2 * b;
    return {
      add: [ellipse(ox, oy, a, b, th)],
      cut: [disc(ox + d * Math.cos(th + Math.PI / 2), oy + d * Math.sin(th + Math.PI / 2), 0.75 * a)],
    };
  }
  // round, indented, or a single lobe
  const rn = Math.sqrt(area / Math.PI);
  const free = Math.max(0, R - rn - 1.2 * k);
  const ox = cx + Math.cos(th) * free * n.eccentricity;
  const oy = cy + Math.sin(th) * free * n.eccentricity;
  const aspect = 1 + 0.07 * r();
  const add = [ellipse(ox, oy, rn * aspect, rn / aspect, th + 1)];
  if (n.form === 'indented' && r() < 0.5) {
    const d = 1.3 * rn;
    return { add, cut: [disc(ox + d * Math.cos(th + 2), oy + d * Math.sin(th + 2), 0.55 * rn)] };
  }
  return { add, cut: [] };
}

/** What drawing actually placed (placement can fall short of the requested counts). */
export interface CellPlacement {
  erythrocytes: number;
  granules: number;
  vacuoles: number;
}

/** Paints a cell from its parameters. */
export function drawCell(p: CellRenderParams): { image: Raster; placed: CellPlacement } {
  const out = p.size;
  const S = Math.max(64, out);
  const k = S / 64;
  const r = itemRandom(p.seed, 'cell-layout', p.label);
  const T = new Float32Array(S * S * 3).fill(1);
  const R = (p.diameter * S) / 2;
  const cx = (S - 1) / 2 + p.offset[0] * S;
  const cy = (S - 1) / 2 + p.offset[1] * S;

  // Erythrocytes around, never overlapping the white cell (a visible gap).
  const rr = p.erythrocytes.radius * S;
  const placed: Array<[number, number, number]> = [];
  for (let attempt = 0; attempt < 400 && placed.length < p.erythrocytes.count; attempt++) {
    const x = -rr + r() * (S + 2 * rr);
    const y = -rr + r() * (S + 2 * rr);
    const ri = rr * (0.9 + 0.2 * r());
    if (Math.hypot(x - cx, y - cy) < R * 1.12 + ri + p.erythrocytes.gap * S) continue;
    if (placed.some(([px, py, pr]) => Math.hypot(px - x, py - y) < 0.75 * (pr + ri))) continue;
    placed.push([x, y, ri]);
  }
  for (const [x, y, ri] of placed) {
    const ang = r() * Math.PI;
    const asp = 1 + 0.08 * r();
    const body = RBC_BODY.map((v) => v * (1 + 0.03 * normal(r))) as unknown as RGB;
    paintShape(T, S, S, 3, ellipse(x, y, ri * asp, ri / asp, ang), body, 1, 1.2 * k);
    paintShape(T, S, S, 3, disc(x + 0.1 * ri * normal(r), y + 0.1 * ri * normal(r), 0.42 * ri), RBC_PALLOR, 0.9, 0.45 * ri);
  }

  // The cell body.
  const outline = radialBlob(cx, cy, R, p.outline);
  const cell = new Float32Array(S * S);
  addCoverage(cell, S, S, outline, k);
  composite(T, 3, cell, p.cytoplasmColour);

  // Nucleus coverage (needed first to keep vacuoles off it).
  const { add, cut } = nucleusShapes(p, cx, cy, R, k, r);
  const nuc = new Float32Array(S * S);
  for (const s of add) addCoverage(nuc, S, S, s, k);
  if (cut.length) {
    const notch = new Float32Array(S * S);
    for (const s of cut) addCoverage(notch, S, S, s, k);
    for (let i = 0; i < nuc.length; i++) nuc[i] = nuc[i]! * (1 - notch[i]!);
  }
  for (let i = 0; i < nuc.length; i++) nuc[i] = Math.min(nuc[i]!, cell[i]!);

  const inCell = (x: number, y: number, margin: number): boolean => outline.sd(x, y) < -margin;
  let granulesPlaced = 0;
  const granules = (g: NonNullable<CellRenderParams['granules']>): void => {
    const gr = g.radius * k;
    for (let i = 0, tries = 0; i < g.count && tries < g.count * 20; tries++) {
      // Granules over the nucleus (basophil) favour the periphery, spreading the dark cover.
      const a = r() * 2 * Math.PI;
      const d = Math.sqrt(g.overNucleus ? 0.3 + 0.7 * r() : r()) * R;
      const x = cx + d * Math.cos(a);
      const y = cy + d * Math.sin(a);
      if (!inCell(x, y, gr + 0.3 * k)) continue;
      if (!g.overNucleus && nuc[Math.round(y) * S + Math.round(x)]! > 0.5) continue;
      paintShape(T, S, S, 3, disc(x, y, gr * (0.85 + 0.3 * r())), g.colour, 0.95, 0.8 * k);
      i++;
      granulesPlaced++;
    }
  };
  if (p.granules && !p.granules.overNucleus) granules(p.granules);

  // Vacuoles: clear round holes in the cytoplasm, away from the nucleus.
  const vr = p.vacuoles.radius * k;
  let vacuolesPlaced = 0;
  const vacuoleCentres: Array<[number, number]> = [];
  for (let i = 0, tries = 0; i < p.vacuoles.count && tries < 1500; tries++) {
    // Where space is short (a large nucleus), later tries accept a smaller margin.
    const margin = (tries < 500 ? 2 : 1.4) * k;
    const a = r() * 2 * Math.PI;
    const d = Math.sqrt(r()) * R;
    const x = cx + d * Math.cos(a);
    const y = cy + d * Math.sin(a);
    if (!inCell(x, y, vr + 3 * k)) continue;
    let clear = true;
    const reach = Math.ceil(vr + margin);
    for (let dy = -reach; dy <= reach && clear; dy++) {
      for (let dx = -reach; dx <= reach; dx++) {
        if (dx * dx + dy * dy > (vr + margin) ** 2) continue;
        const xx = Math.round(x) + dx;
        const yy = Math.round(y) + dy;
        if (xx >= 0 && yy >= 0 && xx < S && yy < S && nuc[yy * S + xx]! > 0.05) {
          clear = false;
          break;
        }
      }
    }
    if (!clear || vacuoleCentres.some(([vx, vy]) => Math.hypot(vx - x, vy - y) < 2 * vr + 1.5 * k)) continue;
    vacuoleCentres.push([x, y]);
    paintShape(T, S, S, 3, disc(x, y, vr), VACUOLE, 1, 0.9 * k);
    i++;
    vacuolesPlaced++;
  }

  // Nucleus with chromatin texture (optical density modulated by a smooth field).
  if (add.length) {
    const tex = smoothNoise(S, S, 0.9 * k, r);
    const od = p.nucleus.colour.map((v) => -Math.log(v));
    for (let i = 0; i < nuc.length; i++) {
      const a = nuc[i]!;
      if (a <= 0) continue;
      const m = 1 + p.nucleus.texture * tex[i]!;
      for (let c = 0; c < 3; c++) T[i * 3 + c] = T[i * 3 + c]! * (1 - a) + Math.exp(-od[c]! * m) * a;
    }
  }
  if (p.granules && p.granules.overNucleus) granules(p.granules);

  // Stain strength and the slide's background colour, then optics: blur, sampling, noise.
  const img = new Float32Array(S * S * 3);
  for (let i = 0; i < S * S; i++) {
    for (let c = 0; c < 3; c++) {
      const t = Math.max(1e-4, T[i * 3 + c]!);
      img[i * 3 + c] = Math.min(1, Math.pow(t, p.stain.odScale[c]!) * p.stain.background[c]!);
    }
  }
  let raster: Raster = { width: S, height: S, channels: 3, data: gaussianBlur(img, S, S, 3, p.blur * k) };
  if (out !== S) raster = resize(raster, out, out, 'area');
  addNoiseInPlace(raster.data, p.noise, itemRandom(p.seed, 'cell-noise'));
  return { image: raster, placed: { erythrocytes: placed.length, granules: granulesPlaced, vacuoles: vacuolesPlaced } };
}

export interface RenderCellOptions {
  label: CellLabel;
  seed: number;
  /** Output width = height in pixels (32 or 64 like the real sets; any size ≥ 16 works). Default 64. */
  size?: number;
}

/** One valid phantom of a class, with the parameters that made it. */
export function renderCell(opts: RenderCellOptions): RenderedCell {
  const params = sampleCellParams(opts.label, { size: opts.size ?? 64, seed: opts.seed });
  return { ...drawCell(params), params };
}

/** A blank slide (for tests of "no cell" handling). */
export function blankSlide(size = 64, colour: RGB = PEACH): Raster {
  const r = createRaster(size, size, 3);
  for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) r.data[i * 3 + c] = colour[c]!;
  return r;
}


