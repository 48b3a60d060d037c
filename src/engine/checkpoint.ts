// A checkpoint is a folder: weights.safetensors (+ optional extra tensor files),
// optimizer.bin (libtorch archive) and state.json (config, step, RNG states).
// It is written beside its final name (`<dir>.tmp-<pid>`) and renamed into place, so
// a killed process leaves either the previous checkpoint or the new one, never half
// of one. Replacing an existing folder takes two renames (old aside to
// `<dir>.old-<pid>`, new into place); a crash between them leaves only the aside
// copy, which loading and listing then use.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { dispose } from './scope.js';
import { CheckpointError, loadSafetensors, saveSafetensors } from './safetensors.js';
import type { Tensor } from './tensor.js';

export interface CheckpointContent {
  /** Tensor files by name, e.g. { weights: model.stateDict(), ema: … }. */
  tensors: Record<string, Map<string, Tensor>>;
  optimizer?: Buffer;
  state: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  tensors: Record<string, Map<string, Tensor>>;
  optimizer?: Buffer;
  state: Record<string, unknown>;
  dir: string;
}

export function saveCheckpoint(dir: string, content: CheckpointContent): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  removeSiblings(dir, '.tmp-'); // leftovers of writers killed mid-write: never complete
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp);
  try {
    for (const [name, tensors] of Object.entries(content.tensors)) saveSafetensors(join(tmp, `${name}.safetensors`), tensors);
    if (content.optimizer) writeDurably(join(tmp, 'optimizer.bin'), content.optimizer);
    // state.json last: a folder with it is complete (loading checks for it).
    writeDurably(join(tmp, 'state.json'), Buffer.from(JSON.stringify(content.state, null, 1)));
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = `${dir}.old-${process.pid}`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  syncDir(parent);
  rmSync(old, { recursive: true, force: true });
  removeSiblings(dir, '.old-'); // aside copies from an earlier interrupted replace
}

/** Loads a checkpoint folder (or, after a crash mid-replace, the previous copy set aside beside it). */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const from = readableCheckpoint(dir);
  if (!from) {
    throw new CheckpointError(dir, existsSync(dir) ? 'not a checkpoint (no state.json)' : 'no such checkpoint folder');
  }
  const stateFile = join(from, 'state.json');
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch (e) {
    throw new CheckpointError(stateFile, `unreadable JSON (${(e as Error).message})`);
  }
  const tensors: Record<string, Map<string, Tensor>> = {};
  try {
    for (const f of readdirSync(from).sort()) {
      if (f.endsWith('.safetensors')) tensors[f.slice(0, -'.safetensors'.length)] = loadSafetensors(join(from, f)).tensors;
    }
  } catch (e) {
    dispose(Object.values(tensors).map((m) => [...m.values()]));
    throw e;
  }
  const optFile = join(from, 'optimizer.bin');
  return { tensors, state, dir, ...(existsSync(optFile) ? { optimizer: readFileSync(optFile) } : {}) };
}

/** Checkpoint folders named `step-<n>` under `root`, newest (highest step) first. */
export function listCheckpoints(root: string): { step: number; dir: string }[] {
  if (!existsSync(root)) return [];
  const steps = new Map<number, string>();
  for (const f of readdirSync(root)) {
    const m = /^(step-(\d+))(?:\.old-\d+)?$/.exec(f);
    if (!m) continue;
    const dir = join(root, m[1]!);
    if (!steps.has(Number(m[2])) && readableCheckpoint(dir)) steps.set(Number(m[2]), dir);
  }
  return [...steps].map(([step, dir]) => ({ step, dir })).sort((a, b) => b.step - a.step);
}

export function checkpointDir(root: string, step: number): string {
  return join(root, `step-${String(step).padStart(7, '0')}`);
}

/** The folder holding `dir`'s complete content: itself, or its aside copy after an interrupted replace. */
function readableCheckpoint(dir: string): string | null {
  if (existsSync(join(dir, 'state.json'))) return dir;
  if (existsSync(dir)) return null;
  const aside = siblings(dir, '.old-').filter((d) => existsSync(join(d, 'state.json')));
  return aside[0] ?? null;
}

function siblings(dir: string, marker: string): string[] {
  const parent = dirname(dir);
  if (!existsSync(parent)) return [];
  const prefix = basename(dir) + marker;
  return readdirSync(parent)
    .filter((f) => f.startsWith(prefix) && /^\d+$/.test(f.slice(prefix.length)))
    .map((f) => join(parent, f));
}

function removeSiblings(dir: string, marker: string): void {
  for (const d of siblings(dir, marker)) rmSync(d, { recursive: true, force: true });
}

function writeDurably(file: string, data: Buffer): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes the renames themselves durable (best effort: not every platform can fsync a folder). */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // ignored: durability of the rename is a bonus, atomicity does not depend on it
  }
}

export { CheckpointError };
