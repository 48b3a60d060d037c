// What an alignment run writes so it can resume bit-exact and be traced: checkpoints
// (generator weights, ACE tokens, anchor weights, optimizer state, sampler Generator
// state, advantage buffers, the iteration, the config with its reward weights,
// anchor and data) and metrics.jsonl, one line per iteration.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadedCheckpoint, type Tensor, checkpointDir, listCheckpoints, loadCheckpoint, saveCheckpoint } from '../engine/index.js';

export class AlignResumeError extends Error {
  override name = 'AlignResumeError';
  constructor(
    readonly dir: string,
    reason: string,
  ) {
    super(`${dir}: ${reason}`);
  }
}

export interface AlignCheckpoint {
  tensors: Record<string, Map<string, Tensor>>;
  optimizer: Buffer;
  iteration: number;
  generatorState: Uint8Array;
  state: Record<string, unknown>;
}

export function checkpointsRoot(outDir: string): string {
  return join(outDir, 'checkpoints');
}

/** Writes `step-<iteration>` and keeps only the newest `keep` checkpoints. */
export function saveAlignCheckpoint(outDir: string, ck: AlignCheckpoint, keep = 2): string {
  const root = checkpointsRoot(outDir);
  const dir = checkpointDir(root, ck.iteration);
  saveCheckpoint(dir, {
    tensors: ck.tensors,
    optimizer: ck.optimizer,
    state: { ...ck.state, iteration: ck.iteration, generatorState: Buffer.from(ck.generatorState).toString('base64') },
  });
  for (const old of listCheckpoints(root).slice(keep)) rmSync(old.dir, { recursive: true, force: true });
  return dir;
}

export interface ResumedCheckpoint extends LoadedCheckpoint {
  iteration: number;
  generatorState: Uint8Array;
}

/** The newest checkpoint under `outDir`, or null when the run has none. */
export function loadLatestAlignCheckpoint(outDir: string): ResumedCheckpoint | null {
  const latest = listCheckpoints(checkpointsRoot(outDir))[0];
  if (!latest) return null;
  const ck = loadCheckpoint(latest.dir);
  const { iteration, generatorState } = ck.state as { iteration?: number; generatorState?: string };
  if (typeof iteration !== 'number' || typeof generatorState !== 'string') throw new AlignResumeError(latest.dir, 'state.json lacks iteration or generatorState');
  if (!ck.optimizer) throw new AlignResumeError(latest.dir, 'no optimizer.bin');
  return { ...ck, iteration, generatorState: new Uint8Array(Buffer.from(generatorState, 'base64')) };
}

/** Throws when a resumed run's config differs from the saved one in a key that changes results. */
export function checkSameConfig(dir: string, saved: Record<string, unknown>, now: Record<string, unknown>, mayDiffer: readonly string[]): void {
  for (const key of new Set([...Object.keys(saved), ...Object.keys(now)])) {
    if (mayDiffer.includes(key)) continue;
    if (JSON.stringify(saved[key]) !== JSON.stringify(now[key])) {
      throw new AlignResumeError(dir, `config key '${key}' was ${JSON.stringify(saved[key])} and is now ${JSON.stringify(now[key])}: start a new run instead of resuming`);
    }
  }
}

/** metrics.jsonl: appends one JSON line per iteration; on resume drops lines past the checkpoint. */
export class MetricsLog {
  readonly file: string;
  constructor(outDir: string, resumeIteration: number) {
    mkdirSync(outDir, { recursive: true });
    this.file = join(outDir, 'metrics.jsonl');
    if (existsSync(this.file)) {
      const kept = readMetricsLog(outDir).filter((r) => r.iteration < resumeIteration);
      writeFileSync(this.file, kept.map((r) => JSON.stringify(r) + '\n').join(''));
    }
  }
  append(record: { iteration: number } & Record<string, unknown>): void {
    appendFileSync(this.file, JSON.stringify(record) + '\n');
  }
}

/** Every iteration a run's metrics.jsonl holds, a resumed run's earlier ones included (none without the file). */
export function readMetricsLog<T extends { iteration: number }>(outDir: string): T[] {
  const file = join(outDir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}
