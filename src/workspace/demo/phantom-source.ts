// Phantom blood cells for the demo: rendered once into the workspace in the real
// data sets' layout (`<label>/<file>.png` + labels.csv), judged by the exact oracle.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Progress } from '../../cli/progress.js';
import { CELL_LABELS, type CellLabel, isCellLabel, makeOracleJudge, writePhantomDataset } from '../../data/phantoms/index.js';
import type { TruthJudge } from './context.js';

/** Renders `count` phantoms, balanced over the classes, unless the folder is already complete. */
export function renderPhantomCells(dir: string, opts: { count: number; size: number; seed: number; silent: boolean; classes?: readonly string[] }): void {
  if (existsSync(join(dir, 'labels.csv'))) return;
  const wanted = opts.classes?.length ? opts.classes : CELL_LABELS;
  const unknown = wanted.filter((c) => !isCellLabel(c));
  if (unknown.length) throw new Error(`data.classes: ${unknown.join(', ')} are not phantom cell classes (classes: ${CELL_LABELS.join(', ')})`);
  // Written beside the final folder and renamed into place: a killed render leaves no half data set.
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const progress = new Progress({ label: 'phantoms', total: opts.count, silent: opts.silent });
  writePhantomDataset({ kind: 'cells', n: opts.count, out: tmp, size: opts.size, seed: opts.seed, labels: wanted as CellLabel[], onProgress: (d) => progress.set(d) });
  progress.finish();
  renameSync(tmp, dir);
}

/** The phantom oracle: measures the cell from pixels and checks every criterion of the intended class. */
export function phantomCellJudge(): TruthJudge {
  return makeOracleJudge('cells');
}
