// Versioned model folders for everything reward/ trains: <root>/v0001/ holds
// `checkpoint/` (an engine checkpoint folder: weights.safetensors + state.json with
// kind and config) and `reward-model.json` (kind, version, creation time, training
// data summary, metrics, options, source). A new training run never overwrites an
// older version, so a generator aligned against v3 can be traced to exactly that model.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Module, type Tensor, loadCheckpoint, saveCheckpoint } from '../engine/index.js';

export interface ModelInfo {
  kind: string;
  version: number;
  createdAt: string;
  /** What it was trained on (counts, conditions, criteria, …). */
  data: Record<string, unknown>;
  metrics: Record<string, unknown>;
  options: Record<string, unknown>;
  /** Lineage: study, real data path, workspace run id… */
  source: Record<string, unknown>;
}

export class RewardModelFileError extends Error {
  override name = 'RewardModelFileError';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

export const INFO_FILE = 'reward-model.json';

/** Version folders `v0001`, `v0002`, … under `root`, ascending. */
export function listModelVersions(root: string): { version: number; dir: string }[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((f) => /^v(\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), dir: join(root, m[0]) }))
    .sort((a, b) => a.version - b.version);
}

/** Where a workspace keeps one reward's models: `<workspace>/rewards/<name>`. */
export function rewardModelRoot(workspaceDir: string, name: string): string {
  return join(resolve(workspaceDir), 'rewards', name);
}

/** Writes weights + config as the next version under `root`. */
export function saveVersionedModel(
  root: string,
  model: { kind: string; weights: Map<string, Tensor>; config: unknown; data?: Record<string, unknown>; metrics?: Record<string, unknown>; options?: Record<string, unknown>; source?: Record<string, unknown> },
): { dir: string; info: ModelInfo } {
  const versions = listModelVersions(root);
  const version = (versions[versions.length - 1]?.version ?? 0) + 1;
  const dir = join(resolve(root), `v${String(version).padStart(4, '0')}`);
  mkdirSync(dir, { recursive: true });
  saveCheckpoint(join(dir, 'checkpoint'), { tensors: { weights: model.weights }, state: { kind: model.kind, config: model.config } });
  const info: ModelInfo = {
    kind: model.kind,
    version,
    createdAt: new Date().toISOString(),
    data: model.data ?? {},
    metrics: model.metrics ?? {},
    options: model.options ?? {},
    source: model.source ?? {},
  };
  writeFileSync(join(dir, INFO_FILE), JSON.stringify(info, null, 1));
  return { dir, info };
}

/** The version folder at `path`, or the newest version under it. */
export function resolveModelDir(path: string): string {
  const dir = resolve(path);
  if (existsSync(join(dir, INFO_FILE))) return dir;
  const latest = listModelVersions(dir).pop();
  if (!latest) throw new RewardModelFileError(dir, `no model here (no ${INFO_FILE} and no v#### folders)`);
  return latest.dir;
}

/** Reads a version folder (or the newest under a root), checking its kind. The caller owns (disposes) the weights. */
export function loadVersionedModel(path: string, kind: string): { weights: Map<string, Tensor>; config: unknown; info: ModelInfo; dir: string } {
  const dir = resolveModelDir(path);
  let info: ModelInfo;
  try {
    info = JSON.parse(readFileSync(join(dir, INFO_FILE), 'utf8')) as ModelInfo;
  } catch (e) {
    throw new RewardModelFileError(join(dir, INFO_FILE), `unreadable (${(e as Error).message})`);
  }
  if (info.kind !== kind) throw new RewardModelFileError(dir, `expected a '${kind}' model, found '${info.kind}'`);
  return { ...loadModelCheckpoint(join(dir, 'checkpoint')), info, dir };
}

/** An engine checkpoint folder's weights and stored config (the caller owns the weights). */
export function loadModelCheckpoint(dir: string): { weights: Map<string, Tensor>; config: unknown } {
  const ckpt = loadCheckpoint(dir);
  const weights = ckpt.tensors.weights;
  if (!weights) throw new RewardModelFileError(ckpt.dir, 'no weights.safetensors');
  return { weights, config: ckpt.state.config };
}

/** A net built from its stored config with the weights loaded (and disposed), in eval mode. */
export function buildNet<N extends Module>(loaded: { weights: Map<string, Tensor>; config: unknown }, build: (config: unknown) => N): N {
  const net = build(loaded.config);
  try {
    net.loadStateDict(loaded.weights);
  } finally {
    for (const t of loaded.weights.values()) t.dispose();
  }
  net.eval();
  return net;
}

/** Loads a versioned model's weights into a net built from its stored config, in eval mode. */
export function loadVersionedNet<N extends Module>(path: string, kind: string, build: (config: unknown) => N): { net: N; info: ModelInfo; dir: string } {
  const { info, dir, ...loaded } = loadVersionedModel(path, kind);
  return { net: buildNet(loaded, build), info, dir };
}
