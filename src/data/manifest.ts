// Dataset manifests: the list of images (with label, report text, patient id) that
// the rest of medloop trains and evaluates on. Three sources:
//  - an image folder laid out as <root>/<label>/<file> (labels from folder names);
//  - a CSV with a path column and optional label / report / patient columns;
//  - the shared data sets (../shared/data: pbc64, covid-cxr64, nih-cxr64),
//    recognised by their CSV headers.
// `loadManifest` picks one from a path. Entry paths are relative to `root` as
// written in the source (absolute paths stay absolute); `entryPath` resolves them.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { CsvSyntaxError, parseCsv } from './csv.js';
import { IMAGE_EXTENSIONS } from './decode.js';
import { ManifestError, reasonOf } from './errors.js';

export interface ManifestEntry {
  /** Image path relative to the manifest's root (or absolute), '/'-separated. */
  path: string;
  label?: string;
  /** Free-text report or clinical notes that condition text-to-image models. */
  report?: string;
  /** Splits keep all images of one patient together. */
  patientId?: string;
  /** Every other CSV column, by header name. */
  meta?: Record<string, string>;
}

export type ManifestKind = 'image-folder' | 'csv' | 'pbc64' | 'covid-cxr64' | 'nih-cxr64';

export interface Manifest {
  /** Folder that entry paths are relative to (absolute). */
  root: string;
  entries: ManifestEntry[];
  /** Distinct labels, sorted (class index = position here). */
  labels: string[];
  kind: ManifestKind;
  /** The folder or CSV file the manifest was read from (absolute). */
  source: string;
}

export interface ManifestOptions {
  /** Check that every listed image exists (default true); a missing one is a ManifestError naming it. */
  checkFiles?: boolean;
}

export interface CsvManifestOptions extends ManifestOptions {
  /** Column with image paths (default 'path'). */
  pathColumn?: string;
  /** Column with the class label (default 'label' if present). */
  labelColumn?: string;
  /** Column with report text (default 'report' if present). */
  reportColumn?: string;
  /** Column with the patient id (default 'patient_id' if present). */
  patientColumn?: string;
  /** Folder that relative paths start from (default: the CSV's folder). */
  root?: string;
}

/** Absolute path of an entry's image. */
export function entryPath(manifest: Pick<Manifest, 'root'>, entry: ManifestEntry): string {
  return resolve(manifest.root, entry.path);
}

/** Sorted distinct labels of entries (entries without a label are not a class). */
export function labelsOf(entries: ReadonlyArray<ManifestEntry>): string[] {
  return [...new Set(entries.flatMap((e) => (e.label === undefined ? [] : [e.label])))].sort();
}

function isImageFile(name: string): boolean {
  return !name.startsWith('.') && IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/** <dir>/<label>/<file> (files in nested folders under a label count for it). Hidden files and non-images are ignored. */
export function fromImageFolder(dir: string): Manifest {
  const root = resolve(dir);
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch (e) {
    throw new ManifestError(root, `cannot read folder (${reasonOf(e)})`, { cause: e });
  }
  const entries: ManifestEntry[] = [];
  const walk = (folder: string, label: string): void => {
    for (const name of readdirSync(folder).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(folder, name);
      if (statSync(p).isDirectory()) walk(p, label);
      else if (isImageFile(name)) entries.push({ path: toPosix(relative(root, p)), label });
    }
  };
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const p = join(root, name);
    if (statSync(p).isDirectory()) walk(p, name);
  }
  if (entries.length === 0) throw new ManifestError(root, 'no images found (expected <folder>/<label>/<image>.png|.jpg|.dcm)');
  return { root, entries, labels: labelsOf(entries), kind: 'image-folder', source: root };
}

interface CsvTable {
  header: string[];
  rows: Array<{ fields: string[]; line: number }>;
}

function readCsvTable(file: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ManifestError(file, `cannot read CSV (${reasonOf(e)})`, { cause: e });
  }
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new ManifestError(file, e.message.replace(/^line \d+: /, ''), { line: e.line, cause: e });
    throw e;
  }
  const [head, ...rows] = records;
  if (!head) throw new ManifestError(file, 'empty CSV (no header row)');
  const header = head.fields.map((h) => h.trim());
  for (const r of rows) {
    if (r.fields.length !== header.length) {
      throw new ManifestError(file, `row has ${r.fields.length} fields, header has ${header.length}`, { line: r.line });
    }
  }
  return { header, rows };
}

function column(table: CsvTable, file: string, name: string | undefined, fallback: string, required: boolean): number {
  const wanted = name ?? fallback;
  const index = table.header.indexOf(wanted);
  if (index < 0 && (required || name !== undefined)) {
    throw new ManifestError(file, `missing column '${wanted}' (header: ${table.header.join(', ')})`, { key: wanted });
  }
  return index;
}

function checkExists(root: string, entries: ManifestEntry[], file: string, lines?: number[]): void {
  entries.forEach((e, i) => {
    if (!existsSync(resolve(root, e.path))) {
      throw new ManifestError(file, `listed image does not exist: ${e.path}`, { line: lines?.[i], key: e.path });
    }
  });
}

interface CsvReadout {
  entries: ManifestEntry[];
  lines: number[];
}

function entriesFromCsv(file: string, table: CsvTable, cols: { path: number; label: number; report: number; patient: number }): CsvReadout {
  const special = new Set([cols.path, cols.label, cols.report, cols.patient]);
  const entries: ManifestEntry[] = [];
  const lines: number[] = [];
  for (const { fields, line } of table.rows) {
    const path = fields[cols.path]!.trim();
    if (path === '') throw new ManifestError(file, `empty path in column '${table.header[cols.path]}'`, { line, key: table.header[cols.path] });
    const entry: ManifestEntry = { path: toPosix(path) };
    if (cols.label >= 0 && fields[cols.label]!.trim() !== '') entry.label = fields[cols.label]!.trim();
    if (cols.report >= 0 && fields[cols.report]!.trim() !== '') entry.report = fields[cols.report]!.trim();
    if (cols.patient >= 0 && fields[cols.patient]!.trim() !== '') entry.patientId = fields[cols.patient]!.trim();
    const meta: Record<string, string> = {};
    table.header.forEach((h, i) => {
      if (!special.has(i)) meta[h] = fields[i]!;
    });
    if (Object.keys(meta).length > 0) entry.meta = meta;
    entries.push(entry);
    lines.push(line);
  }
  return { entries, lines };
}

/** A CSV listing images: `path` (required) and optional label, report and patient columns; other columns go to `meta`. */
export function fromCsv(csvPath: string, options: CsvManifestOptions = {}): Manifest {
  const file = resolve(csvPath);
  const table = readCsvTable(file);
  const cols = {
    path: column(table, file, options.pathColumn, 'path', true),
    label: column(table, file, options.labelColumn, 'label', false),
    report: column(table, file, options.reportColumn, 'report', false),
    patient: column(table, file, options.patientColumn, 'patient_id', false),
  };
  const root = resolve(options.root ?? dirname(file));
  const { entries, lines } = entriesFromCsv(file, table, cols);
  if (options.checkFiles ?? true) checkExists(root, entries, file, lines);
  return { root, entries, labels: labelsOf(entries), kind: 'csv', source: file };
}

type SharedKind = 'pbc64' | 'covid-cxr64' | 'nih-cxr64';

interface SharedLayout {
  kind: SharedKind;
  csv: string;
  /** Columns that identify the layout. */
  signature: string[];
  label: string;
  report?: string;
  patientOf?: (path: string) => string | undefined;
}

const SHARED_LAYOUTS: SharedLayout[] = [
  { kind: 'pbc64', csv: 'labels.csv', signature: ['path', 'label', 'fine_label'], label: 'label' },
  { kind: 'covid-cxr64', csv: 'metadata.csv', signature: ['path', 'finding', 'view', 'clinical_notes'], label: 'finding', report: 'clinical_notes' },
  {
    kind: 'nih-cxr64',
    csv: 'labels.csv',
    signature: ['path', 'label', 'source_split'],
    label: 'label',
    // ChestX-ray14 file names are <8-digit patient>_<3-digit follow-up>.png.
    patientOf: (p) => /^(\d{8})_/.exec(basename(p))?.[1],
  },
];

/** The header row of a CSV (the first line; headers here never hold quoted newlines). */
function readCsvHeader(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ManifestError(file, `cannot read CSV (${reasonOf(e)})`, { cause: e });
  }
  const end = text.indexOf('\n');
  const first = parseCsv(end < 0 ? text : text.slice(0, end))[0];
  return first ? first.fields.map((h) => h.trim()) : [];
}

function sharedLayoutOf(dir: string): { layout: SharedLayout; file: string } | undefined {
  for (const layout of SHARED_LAYOUTS) {
    const file = join(dir, layout.csv);
    if (!existsSync(file)) continue;
    const header = readCsvHeader(file);
    if (layout.signature.every((c) => header.includes(c))) return { layout, file };
  }
  return undefined;
}

/**
 * One of the shared data sets (see ../shared/data/README.md), recognised by its
 * CSV header: pbc64 (labels.csv path,label,fine_label), covid-cxr64 (metadata.csv;
 * label = finding, report = clinical_notes) or nih-cxr64 (labels.csv with
 * source_split; patient id = first 8 digits of the file name).
 */
export function fromSharedDataset(dir: string, options: ManifestOptions = {}): Manifest {
  const root = resolve(dir);
  const found = sharedLayoutOf(root);
  if (!found) {
    throw new ManifestError(root, `not a known shared data set (expected ${SHARED_LAYOUTS.map((l) => `${l.kind}: ${l.csv} with ${l.signature.join(',')}`).join('; ')})`);
  }
  const { layout, file } = found;
  const table = readCsvTable(file);
  const cols = {
    path: table.header.indexOf('path'),
    label: table.header.indexOf(layout.label),
    report: layout.report ? table.header.indexOf(layout.report) : -1,
    patient: -1,
  };
  const { entries, lines } = entriesFromCsv(file, table, cols);
  if (layout.patientOf) {
    entries.forEach((e, i) => {
      const id = layout.patientOf!(e.path);
      if (id === undefined) throw new ManifestError(file, `cannot read a patient id from file name ${e.path}`, { line: lines[i], key: e.path });
      e.patientId = id;
    });
  }
  if (options.checkFiles ?? true) checkExists(root, entries, file, lines);
  return { root, entries, labels: labelsOf(entries), kind: layout.kind, source: file };
}

/** CSV names `loadManifest` looks for in a folder that is not a shared data set. */
const GENERIC_CSV_NAMES = ['manifest.csv', 'labels.csv', 'metadata.csv'];

/**
 * A manifest from a path: a .csv file (a shared data set's CSV is read as that data
 * set), a shared data set folder, a folder with manifest.csv / labels.csv /
 * metadata.csv holding a `path` column, or an image folder (<label>/<file>).
 */
export function loadManifest(pathOrDir: string, options: CsvManifestOptions = {}): Manifest {
  const target = resolve(pathOrDir);
  if (!existsSync(target)) throw new ManifestError(target, 'no such file or folder');
  if (!statSync(target).isDirectory()) {
    if (extname(target).toLowerCase() !== '.csv') throw new ManifestError(target, 'expected a folder or a .csv file');
    const dir = dirname(target);
    const shared = sharedLayoutOf(dir);
    if (shared && shared.file === target && options.root === undefined) return fromSharedDataset(dir, options);
    return fromCsv(target, options);
  }
  if (sharedLayoutOf(target)) return fromSharedDataset(target, options);
  for (const name of GENERIC_CSV_NAMES) {
    const file = join(target, name);
    if (existsSync(file) && readCsvHeader(file).includes(options.pathColumn ?? 'path')) return fromCsv(file, options);
  }
  return fromImageFolder(target);
}
