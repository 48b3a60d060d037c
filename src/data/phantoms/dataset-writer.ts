// Writes a phantom data set to disk in the layout of the real ones, so every loader
// and command that reads pbc64 / covid-cxr64 reads phantoms too:
//   cells: DIR/<label>/<label>_<i>.png + DIR/labels.csv (path,label)
//   cxr:   DIR/images/cxr_<i>.png + DIR/metadata.csv (path,finding,report, one column
//          per finding, the cardiothoracic ratio and the pose)
// With `broken`, every image is a deliberately broken variant and the CSV says which
// criterion it violates (broken_kind, violated_criterion).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '../png.js';
import type { CellLabel } from './cells/types.js';
import { FINDING_KEYS, findingLabel, findingsToRecord } from './cxr/types.js';
import { brokenCellPhantom, brokenCxrPhantom, type CellPhantom, cellPhantom, type CxrPhantom, cxrPhantom } from './generate.js';

export type PhantomKind = 'cells' | 'cxr';

export interface PhantomDatasetOptions {
  kind: PhantomKind;
  /** Number of images. */
  n: number;
  out: string;
  /** Width = height in pixels (default 64). */
  size?: number;
  seed?: number;
  /** Write broken variants instead of valid phantoms. */
  broken?: boolean;
  /** Cells only: classes to draw (default all eight, balanced). */
  labels?: readonly CellLabel[];
  /** Called after each image. */
  onProgress?: (done: number, total: number) => void;
}

export interface PhantomDatasetSummary {
  out: string;
  kind: PhantomKind;
  images: number;
  /** The CSV written (labels.csv or metadata.csv). */
  csv: string;
  /** Images per label (cells) or per finding label (cxr). */
  counts: Record<string, number>;
  seconds: number;
}

/** One CSV field, quoted when it holds a comma, quote or newline (RFC 4180). */
export function csvField(v: string | number | boolean): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(fields: Array<string | number | boolean>): string {
  return fields.map(csvField).join(',') + '\n';
}

const pad = (i: number, n: number): string => String(i).padStart(Math.max(5, String(n - 1).length), '0');

/** Writes the data set and returns what was written. */
export function writePhantomDataset(opts: PhantomDatasetOptions): PhantomDatasetSummary {
  if (!Number.isInteger(opts.n) || opts.n < 1) throw new RangeError(`phantom data set: n must be a positive whole number, got ${opts.n}`);
  const size = opts.size ?? 64;
  if (!Number.isInteger(size) || size < 16 || size > 512) throw new RangeError(`phantom data set: size must be a whole number in 16..512, got ${size}`);
  const start = performance.now();
  const stream = { size, seed: opts.seed ?? 0, labels: opts.labels };
  const counts: Record<string, number> = {};
  mkdirSync(opts.out, { recursive: true });
  let csv: string;
  const rows: string[] = [];
  if (opts.kind === 'cells') {
    csv = join(opts.out, 'labels.csv');
    rows.push(csvLine(opts.broken ? ['path', 'label', 'broken_kind', 'violated_criterion'] : ['path', 'label']));
    const made = new Set<string>();
    for (let i = 0; i < opts.n; i++) {
      const item: CellPhantom & { kind?: string; criterion?: string } = opts.broken ? brokenCellPhantom(i, stream) : cellPhantom(i, stream);
      if (!made.has(item.label)) {
        mkdirSync(join(opts.out, item.label), { recursive: true });
        made.add(item.label);
      }
      const rel = `${item.label}/${item.label}_${item.kind ? `${item.kind}_` : ''}${pad(i, opts.n)}.png`;
      writeFileSync(join(opts.out, rel), encodePng(item.image));
      rows.push(csvLine(opts.broken ? [rel, item.label, item.kind ?? '', item.criterion ?? ''] : [rel, item.label]));
      counts[item.label] = (counts[item.label] ?? 0) + 1;
      opts.onProgress?.(i + 1, opts.n);
    }
  } else {
    csv = join(opts.out, 'metadata.csv');
    mkdirSync(join(opts.out, 'images'), { recursive: true });
    const header = ['path', 'finding', 'report', ...FINDING_KEYS, 'ctr', 'pose_sx', 'pose_sy', 'pose_tx', 'pose_ty', 'pose_theta_deg'];
    rows.push(csvLine(opts.broken ? [...header, 'drawn_finding', 'broken_kind', 'violated_criterion'] : header));
    for (let i = 0; i < opts.n; i++) {
      const item: CxrPhantom & { kind?: string; criterion?: string } = opts.broken ? brokenCxrPhantom(i, stream) : cxrPhantom(i, stream);
      const rel = `images/cxr_${pad(i, opts.n)}.png`;
      writeFileSync(join(opts.out, rel), encodePng(item.image));
      const p = item.params;
      const stated = findingLabel(item.stated);
      const rec = findingsToRecord(item.stated);
      const fields: Array<string | number> = [
        rel,
        stated,
        item.report,
        ...FINDING_KEYS.map((k) => (rec[k] ? 1 : 0)),
        p.ctr.toFixed(3),
        p.pose.sx.toFixed(4),
        p.pose.sy.toFixed(4),
        p.pose.tx.toFixed(4),
        p.pose.ty.toFixed(4),
        ((p.pose.theta * 180) / Math.PI).toFixed(3),
      ];
      if (opts.broken) fields.push(findingLabel(p.findings), item.kind ?? '', item.criterion ?? '');
      rows.push(csvLine(fields));
      counts[stated] = (counts[stated] ?? 0) + 1;
      opts.onProgress?.(i + 1, opts.n);
    }
  }
  writeFileSync(csv, rows.join(''));
  return { out: opts.out, kind: opts.kind, images: opts.n, csv, counts, seconds: (performance.now() - start) / 1000 };
}
