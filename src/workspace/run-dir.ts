// Run folders on disk: <workspace>/runs/<id>/ with config.json, checkpoints/step-N/,
// samples/ and metrics.jsonl. Ids read `<kind>-<yyyymmdd>-<4 hex>` (gen-20261123-ab12).
// The SQLite run registry (run-registry.ts) can index these; this file only names,
// creates and finds the folders.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface RunDir {
  id: string;
  dir: string;
}

export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
  constructor(
    readonly run: string,
    readonly workspace: string,
    readonly available: string[],
  ) {
    super(
      `no run '${run}' in ${join(workspace, 'runs')}` +
        (available.length ? ` (available: ${available.slice(-20).join(', ')}${available.length > 20 ? ', …' : ''})` : ' (it has no runs yet: train one with `medloop train`)'),
    );
  }
}

export function runsRoot(workspace: string): string {
  return join(resolve(workspace), 'runs');
}

function newRunId(kind: string, now: Date): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  return `${kind}-${day}-${randomBytes(2).toString('hex')}`;
}

/** Creates runs/<id>/ (with checkpoints/ and samples/) and writes config.json. */
export function createRunDir(workspace: string, kind: string, config: unknown, now = new Date()): RunDir {
  const root = runsRoot(workspace);
  mkdirSync(root, { recursive: true });
  let id = newRunId(kind, now);
  while (existsSync(join(root, id))) id = newRunId(kind, now);
  const dir = join(root, id);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  mkdirSync(join(dir, 'samples'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ id, kind, createdAt: now.toISOString(), config }, null, 1));
  return { id, dir };
}

/** Run ids in the workspace, oldest first (by config.json's createdAt, else folder time). */
export function listRunIds(workspace: string, kind?: string): string[] {
  const root = runsRoot(workspace);
  if (!existsSync(root)) return [];
  const runs = readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory() && (!kind || name.startsWith(`${kind}-`)))
    .map((name) => ({ name, created: createdAt(join(root, name)) }));
  return runs.sort((a, b) => a.created - b.created || (a.name < b.name ? -1 : 1)).map((r) => r.name);
}

function createdAt(dir: string): number {
  try {
    const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { createdAt?: string };
    if (c.createdAt) return Date.parse(c.createdAt);
  } catch {
    // no or unreadable config.json: fall back to the folder's time
  }
  return statSync(dir).mtimeMs;
}

/** A run folder from an id (in <workspace>/runs) or a path; RunNotFoundError lists the available ids. */
export function resolveRunDir(workspace: string, idOrPath: string): RunDir {
  const inRuns = join(runsRoot(workspace), idOrPath);
  if (!idOrPath.includes('/') && existsSync(inRuns) && statSync(inRuns).isDirectory()) return { id: idOrPath, dir: inRuns };
  const asPath = resolve(idOrPath);
  if (existsSync(join(asPath, 'config.json')) || existsSync(join(asPath, 'checkpoints'))) return { id: asPath.split('/').pop()!, dir: asPath };
  throw new RunNotFoundError(idOrPath, resolve(workspace), listRunIds(workspace));
}

/** The newest run of a kind, or undefined. */
export function latestRunDir(workspace: string, kind: string): RunDir | undefined {
  const ids = listRunIds(workspace, kind);
  const id = ids[ids.length - 1];
  return id ? { id, dir: join(runsRoot(workspace), id) } : undefined;
}
