// Seeded streams of phantoms in memory: item i of a set depends only on (seed, i), so
// any slice can be regenerated without the rest. Cells are balanced over the classes
// (round-robin); chest X-rays draw their findings at the default rates.
import type { Raster } from '../raster.js';
import { brokenCellPairs, renderBrokenCell } from './cells/broken.js';
import { type CellRenderParams, renderCell } from './cells/render.js';
import { CELL_LABELS, type CellLabel } from './cells/types.js';
import { BROKEN_CXR_KINDS, renderBrokenCxr } from './cxr/broken.js';
import { type CxrRenderParams, renderCxr } from './cxr/render.js';
import type { CxrCriterion, CxrFindings } from './cxr/types.js';
import { deriveSeed } from './random.js';

export interface CellPhantom {
  image: Raster;
  label: CellLabel;
  params: CellRenderParams;
}

export interface CxrPhantom {
  image: Raster;
  /** The report (stated findings). */
  report: string;
  /** The findings the report states (for broken items these differ from what is drawn: see params.findings). */
  stated: CxrFindings;
  params: CxrRenderParams;
}

export interface PhantomStreamOptions {
  size?: number;
  seed?: number;
  /** Cells only: the classes to draw (default all eight). */
  labels?: readonly CellLabel[];
}

/** Item `index` of a seeded set of valid cell phantoms. */
export function cellPhantom(index: number, opts: PhantomStreamOptions = {}): CellPhantom {
  const labels = opts.labels ?? CELL_LABELS;
  const label = labels[index % labels.length]!;
  const { image, params } = renderCell({ label, size: opts.size ?? 64, seed: deriveSeed(opts.seed ?? 0, 'cells', index) });
  return { image, label, params };
}

/** Item `index` of a seeded set of broken cell phantoms (cycling over every class × broken kind). */
export function brokenCellPhantom(index: number, opts: PhantomStreamOptions = {}): CellPhantom & { kind: string; criterion: string } {
  const pairs = brokenCellPairs().filter((p) => !opts.labels || opts.labels.includes(p.label));
  const { label, kind } = pairs[index % pairs.length]!;
  const { image, params } = renderBrokenCell({ label, kind: kind.name, size: opts.size ?? 64, seed: deriveSeed(opts.seed ?? 0, 'broken-cells', index) });
  return { image, label, params, kind: kind.name, criterion: kind.criterion };
}

/** Item `index` of a seeded set of valid chest X-ray phantoms. */
export function cxrPhantom(index: number, opts: PhantomStreamOptions = {}): CxrPhantom {
  const { image, params, report } = renderCxr({ size: opts.size ?? 64, seed: deriveSeed(opts.seed ?? 0, 'cxr', index) });
  return { image, report, stated: params.findings, params };
}

/** Item `index` of a seeded set of broken chest X-rays (cycling over the broken kinds). */
export function brokenCxrPhantom(index: number, opts: PhantomStreamOptions = {}): CxrPhantom & { kind: string; criterion: CxrCriterion } {
  const kind = BROKEN_CXR_KINDS[index % BROKEN_CXR_KINDS.length]!;
  const b = renderBrokenCxr({ kind: kind.name, size: opts.size ?? 64, seed: deriveSeed(opts.seed ?? 0, 'broken-cxr', index) });
  return { image: b.image, report: b.report, stated: b.stated, params: b.params, kind: b.kind, criterion: b.criterion };
}
