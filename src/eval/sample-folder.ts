// Folders of generated images: <dir>/<name>.png with a JSON sidecar <name>.json
// holding at least `condition` (a class name, or a class index into the real
// data's labels). Images in sub-folders without a sidecar take the sub-folder's
// name as their condition (the image-folder layout).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { loadImage } from '../data/loader.js';
import type { Raster } from '../data/raster.js';

export interface SampleFolder {
  dir: string;
  rasters: Raster[];
  conditions: string[];
  /** Paths relative to `dir`, index for index. */
  paths: string[];
  /** The sidecars as read (empty object when there is none). */
  sidecars: Record<string, unknown>[];
}

export class SampleFolderError extends Error {
  override name = 'SampleFolderError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

function listImages(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listImages(p));
    else if (IMAGE_EXT.has(extname(name).toLowerCase())) out.push(p);
  }
  return out;
}

export interface SampleFolderOptions {
  /** Resize to size × size (default: keep). */
  size?: number;
  channels?: 1 | 3;
  /** Class names: a numeric condition indexes them. */
  classNames?: string[];
  /** At most this many images per condition (first in name order). */
  perCondition?: number;
}

export async function loadSampleFolder(dir: string, opts: SampleFolderOptions = {}): Promise<SampleFolder> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SampleFolderError(dir, 'not a folder of generated images');
  const files = listImages(dir);
  if (files.length === 0) throw new SampleFolderError(dir, 'no .png/.jpg images found');
  const result: SampleFolder = { dir, rasters: [], conditions: [], paths: [], sidecars: [] };
  const counts = new Map<string, number>();
  for (const file of files) {
    const sidecarPath = join(dirname(file), `${basename(file, extname(file))}.json`);
    let sidecar: Record<string, unknown> = {};
    let condition: string | undefined;
    if (existsSync(sidecarPath)) {
      try {
        sidecar = JSON.parse(readFileSync(sidecarPath, 'utf8')) as Record<string, unknown>;
      } catch (e) {
        throw new SampleFolderError(sidecarPath, `unreadable JSON (${(e as Error).message})`);
      }
      const c = sidecar.condition;
      if (typeof c === 'number') {
        condition = opts.classNames?.[c];
        if (condition === undefined) throw new SampleFolderError(sidecarPath, `condition ${c} is not a class index (classes: ${(opts.classNames ?? []).join(', ')})`);
      } else if (typeof c === 'string' && c !== '') condition = c;
      else throw new SampleFolderError(sidecarPath, "no 'condition' (string or class index)");
    } else if (dirname(file) !== dir) condition = basename(dirname(file));
    else throw new SampleFolderError(file, `no sidecar ${basename(sidecarPath)} with a 'condition', and not in a per-condition sub-folder`);
    const seen = counts.get(condition) ?? 0;
    if (opts.perCondition !== undefined && seen >= opts.perCondition) continue;
    counts.set(condition, seen + 1);
    result.rasters.push(await loadImage(file, { ...(opts.size ? { size: opts.size } : {}), ...(opts.channels ? { channels: opts.channels } : {}) }));
    result.conditions.push(condition);
    result.paths.push(relative(dir, file));
    result.sidecars.push(sidecar);
  }
  return result;
}
