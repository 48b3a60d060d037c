// A small phantom testbed for the reward module's tests and benchmarks: blood-cell and
// chest X-ray renderers with seeded variation, defects of graded severity, an oracle
// that knows the truth, CXR reports with a parser, and simulated raters. It was written
// before data/phantoms existed; it stays because it renders in microseconds (unit tests
// of reward/ stay fast and independent of the phantom oracles). Benchmarks that measure
// against an oracle use the real phantoms instead (bench/phantom-pool.ts).
//
// Blood cells (32×32 RGB): four classes told apart by nucleus form and cytoplasm colour.
// A defect (one checklist criterion) has a severity in [0, 1]; the oracle calls the cell
// implausible when the severity reaches DEFECT_THRESHOLD, so mild defects are plausible
// and the decision boundary runs through subtle cases (what active choice should find).
import { type Raster, createRaster } from '../src/data/raster.js';
import { type Random, deriveSeed, normal, seededRandom } from '../src/data/random.js';

export const CELL_CLASSES = ['eosinophil', 'lymphocyte', 'monocyte', 'neutrophil'] as const;
export type CellClass = (typeof CELL_CLASSES)[number];
export const CELL_CRITERIA = ['cell_size', 'nucleus_shape', 'chromatin_pattern', 'cytoplasm_colour'] as const;
export type CellCriterion = (typeof CELL_CRITERIA)[number];
export const DEFECT_THRESHOLD = 0.35;

export interface CellSpec {
  cls: CellClass;
  defect?: { criterion: CellCriterion; severity: number };
  seed: number;
}

type RGB = [number, number, number];
const mix = (a: RGB, b: RGB, t: number): RGB => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

const CYTOPLASM: Record<CellClass, RGB> = {
  neutrophil: [0.86, 0.76, 0.82],
  lymphocyte: [0.66, 0.72, 0.92],
  eosinophil: [0.96, 0.62, 0.48],
  monocyte: [0.74, 0.72, 0.8],
};
const NUCLEUS: RGB = [0.33, 0.18, 0.5];

/** Nucleus lobes (dx, dy, r) relative to the cell centre, in units of the cell radius. */
function lobes(cls: CellClass, r: Random): Array<[number, number, number]> {
  const a = r() * Math.PI * 2;
  switch (cls) {
    case 'neutrophil':
      return [0, 1, 2].map((k) => [0.45 * Math.cos(a + (k * 2 * Math.PI) / 3), 0.45 * Math.sin(a + (k * 2 * Math.PI) / 3), 0.27] as [number, number, number]);
    case 'eosinophil':
      return [0, 1].map((k) => [0.4 * Math.cos(a + k * Math.PI), 0.4 * Math.sin(a + k * Math.PI), 0.33] as [number, number, number]);
    case 'lymphocyte':
      return [[0.05 * Math.cos(a), 0.05 * Math.sin(a), 0.72]];
    case 'monocyte':
      return [
        [0.15 * Math.cos(a), 0.15 * Math.sin(a), 0.55],
        [0.35 * Math.cos(a + 0.6), 0.35 * Math.sin(a + 0.6), 0.4],
      ];
  }
}

export function renderCell(spec: CellSpec, size = 32): Raster {
  const r = seededRandom(deriveSeed(spec.seed, 'cell'));
  const img = createRaster(size, size, 3);
  const d = spec.defect;
  const sev = d?.severity ?? 0;
  let radius = size * (0.3 + 0.05 * r());
  if (d?.criterion === 'cell_size') radius *= r() < 0.5 ? 1 - 0.45 * sev : 1 + 0.55 * sev;
  const cx = size / 2 + (r() - 0.5) * 3;
  const cy = size / 2 + (r() - 0.5) * 3;
  let cyto = CYTOPLASM[spec.cls];
  if (d?.criterion === 'cytoplasm_colour') cyto = mix(cyto, [0.45, 0.85, 0.45], sev);
  let nuc = NUCLEUS;
  const ls = lobes(spec.cls, r).map(([dx, dy, lr]) => {
    if (d?.criterion === 'nucleus_shape') return [dx * (1 + 1.6 * sev), dy * (1 + 1.6 * sev), lr * (1 - 0.5 * sev)] as [number, number, number];
    return [dx, dy, lr] as [number, number, number];
  });
  const chromatinNoise = d?.criterion === 'chromatin_pattern' ? sev : 0;
  if (chromatinNoise) nuc = mix(nuc, [0.85, 0.8, 0.9], 0.6 * sev);
  const granules = spec.cls === 'eosinophil' ? Array.from({ length: 14 }, () => [cx + (r() - 0.5) * 1.6 * radius, cy + (r() - 0.5) * 1.6 * radius] as [number, number]) : [];
  const bg: RGB = [0.93, 0.86, 0.84];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let c: RGB = bg;
      const dc = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      if (dc < radius) {
        c = cyto;
        for (const [gx, gy] of granules) if (Math.hypot(x + 0.5 - gx, y + 0.5 - gy) < 1.1 && dc < radius * 0.95) c = mix(c, [0.85, 0.35, 0.2], 0.6);
      }
      for (const [dx, dy, lr] of ls) {
        if (Math.hypot(x + 0.5 - (cx + dx * radius), y + 0.5 - (cy + dy * radius)) < lr * radius) c = chromatinNoise ? mix(nuc, [0.95, 0.95, 0.95], chromatinNoise * 0.5 * r()) : nuc;
      }
      const o = (y * size + x) * 3;
      for (let k = 0; k < 3; k++) img.data[o + k] = Math.min(1, Math.max(0, c[k]! + 0.02 * normal(r)));
    }
  }
  return img;
}

/** The truth for a rendered cell under an intended condition: wrong class or a defect at/over threshold fails. */
export function cellVerdict(spec: CellSpec, condition: string): { plausible: boolean; failedCriteria: string[] } {
  const failed: string[] = [];
  if (condition !== spec.cls) failed.push('nucleus_shape', 'cytoplasm_colour');
  if (spec.defect && spec.defect.severity >= DEFECT_THRESHOLD) failed.push(spec.defect.criterion);
  return { plausible: failed.length === 0, failedCriteria: [...new Set(failed)] };
}

export interface CellItem {
  id: string;
  spec: CellSpec;
  image: Raster;
  condition: string;
  /** Oracle truth. */
  plausible: boolean;
  failedCriteria: string[];
}

/**
 * A pool of cells standing in for generated images: `brokenShare` carry one defect of
 * uniform severity (so some broken renders are still plausible), the rest are clean.
 */
export function cellPool(n: number, seed: number, opts: { brokenShare?: number; size?: number } = {}): CellItem[] {
  const r = seededRandom(deriveSeed(seed, 'pool'));
  return Array.from({ length: n }, (_, i) => {
    const cls = CELL_CLASSES[Math.floor(r() * CELL_CLASSES.length)]!;
    const spec: CellSpec = { cls, seed: deriveSeed(seed, 'cell', i) };
    if (r() < (opts.brokenShare ?? 0.6)) spec.defect = { criterion: CELL_CRITERIA[Math.floor(r() * CELL_CRITERIA.length)]!, severity: r() };
    const v = cellVerdict(spec, cls);
    return { id: `c${seed}-${i}`, spec, image: renderCell(spec, opts.size ?? 32), condition: cls, ...v };
  });
}

/** Clean cells of each class: the "real images" of the testbed. */
export function realCells(n: number, seed: number, size = 32): Array<{ image: Raster; condition: string }> {
  return Array.from({ length: n }, (_, i) => {
    const cls = CELL_CLASSES[i % CELL_CLASSES.length]!;
    return { image: renderCell({ cls, seed: deriveSeed(seed, 'real', i) }, size), condition: cls };
  });
}

export interface SimulatedRater {
  name: string;
  errorRate: number;
}

/** One rater's binary answer on an item: the oracle's verdict flipped with the rater's error rate. */
export function rate(item: Pick<CellItem, 'plausible' | 'failedCriteria' | 'id'>, rater: SimulatedRater, seed: number): { plausible: boolean; failedCriteria: string[] } {
  const r = seededRandom(deriveSeed(seed, rater.name, item.id));
  const plausible = r() < rater.errorRate ? !item.plausible : item.plausible;
  return { plausible, failedCriteria: plausible ? [] : item.plausible ? [CELL_CRITERIA[Math.floor(r() * 4)]!] : item.failedCriteria };
}

// ------------------------------------------------------------------ chest X-rays

export const CXR_FINDINGS = ['cardiomegaly', 'effusion', 'opacity'] as const;
export type CxrFinding = (typeof CXR_FINDINGS)[number];

export interface CxrSpec {
  findings: Record<CxrFinding, boolean>;
  seed: number;
}

/** An upright frontal chest X-ray (64×64 grey): body, two lungs, spine, heart; findings drawn in. */
export function renderCxr(spec: CxrSpec, size = 64): Raster {
  const r = seededRandom(deriveSeed(spec.seed, 'cxr'));
  const img = createRaster(size, size, 1);
  const s = size / 64;
  const lungW = (11 + 2 * r()) * s;
  const lungH = (20 + 3 * r()) * s;
  const lungY = (30 + 2 * (r() - 0.5)) * s;
  const heartR = (spec.findings.cardiomegaly ? 13 : 8.5) * s * (1 + 0.08 * (r() - 0.5));
  const effSide = r() < 0.5 ? -1 : 1;
  const opX = (r() < 0.5 ? -1 : 1) * 15 * s + 32 * s;
  const opY = (22 + 8 * r()) * s;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      let v = 0.08;
      if (((px - 32 * s) / (27 * s)) ** 2 + ((py - 34 * s) / (34 * s)) ** 2 < 1) v = 0.55;
      for (const side of [-1, 1]) {
        const lx = 32 * s + side * 14 * s;
        if (((px - lx) / lungW) ** 2 + ((py - lungY) / lungH) ** 2 < 1) {
          v = 0.2;
          if (spec.findings.effusion && side === effSide && py > lungY + lungH * 0.35) v = 0.62;
        }
      }
      if (Math.abs(px - 32 * s) < 2.5 * s && py > 6 * s) v = Math.max(v, 0.7);
      if (((px - 36 * s) / (heartR * 1.1)) ** 2 + ((py - 42 * s) / heartR) ** 2 < 1) v = Math.max(v, 0.66);
      if (spec.findings.opacity && Math.hypot(px - opX, py - opY) < 5 * s) v = Math.max(v, 0.6);
      img.data[y * size + x] = Math.min(1, Math.max(0, v + 0.03 * normal(r)));
    }
  }
  return img;
}

const PHRASES: Record<CxrFinding, [string[], string[]]> = {
  cardiomegaly: [['The heart is enlarged.', 'Cardiomegaly.'], ['Heart size is normal.', 'No cardiomegaly.']],
  effusion: [['Pleural effusion is present.', 'There is a pleural effusion.'], ['No pleural effusion.', 'No effusion.']],
  opacity: [['Focal opacity in the lung.', 'There is a focal consolidation.'], ['No focal opacity.', 'Lungs are clear without consolidation.']],
};

export function cxrReport(findings: Record<CxrFinding, boolean>, seed: number): string {
  const r = seededRandom(deriveSeed(seed, 'report'));
  return CXR_FINDINGS.map((f) => {
    const opts = PHRASES[f][findings[f] ? 0 : 1];
    return opts[Math.floor(r() * opts.length)]!;
  }).join(' ');
}

/** Report text → stated findings (negations first: "no cardiomegaly" is absent). */
export function parseCxrReport(report: string): Record<string, boolean> {
  const t = report.toLowerCase();
  const stated = (pos: RegExp, neg: RegExp) => !neg.test(t) && pos.test(t);
  return {
    cardiomegaly: stated(/enlarged|cardiomegaly/, /no cardiomegaly|heart size is normal/),
    effusion: stated(/effusion/, /no (pleural )?effusion/),
    opacity: stated(/opacity|consolidation/, /no focal opacity|without consolidation/),
  };
}

export interface CxrItem {
  image: Raster;
  findings: Record<CxrFinding, boolean>;
  report: string;
}

export function cxrSet(n: number, seed: number, size = 64): CxrItem[] {
  const r = seededRandom(deriveSeed(seed, 'cxr-set'));
  return Array.from({ length: n }, (_, i) => {
    const findings = { cardiomegaly: r() < 0.4, effusion: r() < 0.4, opacity: r() < 0.4 };
    const s = deriveSeed(seed, 'cxr', i);
    return { image: renderCxr({ findings, seed: s }, size), findings, report: cxrReport(findings, s) };
  });
}
