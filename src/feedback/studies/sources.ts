// Where study images come from: (a) a folder of generated samples, each `x.png` with
// an `x.json` sidecar written by the sampler ({condition, model?, run?, checkpointStep?,
// seed?, sampler?, …}), or (b) any image folder with a CSV `path,condition[,gold_answer][,source]`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { parseCsvRecords } from '../csv.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { BinaryChoice, ImageSource, Provenance } from '../store/types.js';

export interface SourceImage {
  /** Absolute path of the image file. */
  file: string;
  condition: string;
  source: ImageSource;
  /** Known answer: the image is a gold item (typically a real image shown with its true class → plausible). */
  goldAnswer?: BinaryChoice;
  provenance: Provenance;
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

const Sidecar = z
  .object({
    condition: z.string().min(1),
    model: z.string().optional(),
    run: z.string().optional(),
    checkpointStep: z.number().int().optional(),
    seed: z.number().optional(),
    sampler: z.unknown().optional(),
    real: z.boolean().optional(),
    source: z.enum(['synthetic', 'real']).optional(),
    goldAnswer: z.enum(['plausible', 'implausible']).optional(),
  })
  .passthrough();

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

/** Every image under `dir` (recursively) with its JSON sidecar; a missing or invalid sidecar names the file. */
export function readSampleFolder(dir: string): SourceImage[] {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new NotFoundError('sample folder', dir);
  const out: SourceImage[] = [];
  for (const file of walk(root)) {
    if (!IMAGE_EXT.has(extname(file).toLowerCase())) continue;
    const sidecar = join(dirname(file), basename(file, extname(file)) + '.json');
    if (!existsSync(sidecar)) throw new InvalidInputError(`${file}: no sidecar ${basename(sidecar)} (needs at least {"condition": ...})`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(sidecar, 'utf8'));
    } catch (e) {
      throw new InvalidInputError(`${sidecar}: not valid JSON (${(e as Error).message})`);
    }
    const parsed = Sidecar.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidInputError(`${sidecar}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const { condition, real, source, goldAnswer, ...rest } = parsed.data;
    const src: ImageSource = source ?? (real ? 'real' : 'synthetic');
    out.push({
      file,
      condition,
      source: src,
      ...(goldAnswer ? { goldAnswer } : src === 'real' ? { goldAnswer: 'plausible' as const } : {}),
      provenance: { ...rest, source: src, file: relative(root, file) },
    });
  }
  if (out.length === 0) throw new InvalidInputError(`sample folder ${dir} holds no .png/.jpg images`);
  return out;
}

/**
 * Images listed in a CSV with columns `path,condition[,gold_answer][,source]`; paths are
 * relative to `imageDir` (default: the CSV's folder). Rows with a gold answer are gold items.
 */
export function readImageCsv(csvPath: string, imageDir?: string): SourceImage[] {
  if (!existsSync(csvPath)) throw new NotFoundError('CSV file', csvPath);
  const base = resolve(imageDir ?? dirname(csvPath));
  const { header, records } = parseCsvRecords(readFileSync(csvPath, 'utf8'));
  for (const col of ['path', 'condition']) if (!header.includes(col)) throw new InvalidInputError(`${csvPath}: missing column '${col}' (header: ${header.join(',')})`);
  const out = records.map((r, i): SourceImage => {
    const line = i + 2;
    if (!r.path || !r.condition) throw new InvalidInputError(`${csvPath}:${line}: empty path or condition`);
    const file = resolve(base, r.path);
    if (!existsSync(file)) throw new InvalidInputError(`${csvPath}:${line}: image ${r.path} not found under ${base}`);
    const gold = r.gold_answer?.toLowerCase();
    if (gold && gold !== 'plausible' && gold !== 'implausible') throw new InvalidInputError(`${csvPath}:${line}: gold_answer '${r.gold_answer}' must be plausible or implausible`);
    const src = r.source?.toLowerCase();
    if (src && src !== 'real' && src !== 'synthetic') throw new InvalidInputError(`${csvPath}:${line}: source '${r.source}' must be real or synthetic`);
    const source: ImageSource = (src as ImageSource | undefined) ?? (gold ? 'real' : 'synthetic');
    const { path: _p, condition: _c, gold_answer: _g, source: _s, ...extra } = r;
    return {
      file,
      condition: r.condition,
      source,
      ...(gold ? { goldAnswer: gold as BinaryChoice } : {}),
      provenance: { ...extra, source, file: r.path, csv: basename(csvPath) },
    };
  });
  if (out.length === 0) throw new InvalidInputError(`${csvPath}: no rows`);
  return out;
}
