// The plausibility reward model on disk: a versioned model folder (see ../model-store.ts).
// An ensemble keeps its first member where a single model lives (so every reader of
// one model still works) and the others under `members/<i>/`; its info records how the
// members are combined into a reward (mean − pessimism · standard deviation).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { saveCheckpoint } from '../../engine/index.js';
import { PlausibilityRewardNet, type RewardNetConfig } from '../../models/reward-net.js';
import { type ModelInfo, RewardModelFileError, buildNet, loadModelCheckpoint, loadVersionedNet, saveVersionedModel } from '../model-store.js';
import type { BinaryScores } from '../metrics.js';
import type { TrainedPlausibilityModel } from './train.js';

export const PLAUSIBILITY_KIND = 'medloop.plausibility-reward';

// Files written before the pooling key existed were trained with average pooling.
const buildRewardNet = (config: unknown) => {
  const c = config as Omit<RewardNetConfig, 'pooling'> & Partial<Pick<RewardNetConfig, 'pooling'>>;
  return new PlausibilityRewardNet({ ...c, pooling: c.pooling ?? 'mean' });
};

/** How an ensemble's members make one score: mean − pessimism × standard deviation across members. */
export interface EnsembleScoring {
  members: number;
  pessimism: number;
}

/**
 * Writes the model, or an ensemble of models, as the next version under `root` (e.g.
 * `<workspace>/rewards/plausibility`). An ensemble's metrics are its members' means.
 */
export function savePlausibilityModel(
  root: string,
  trained: TrainedPlausibilityModel | ReadonlyArray<TrainedPlausibilityModel>,
  source: Record<string, unknown> = {},
  opts: { pessimism?: number } = {},
): { dir: string; info: ModelInfo } {
  const members = Array.isArray(trained) ? (trained as ReadonlyArray<TrainedPlausibilityModel>) : [trained as TrainedPlausibilityModel];
  const first = members[0];
  if (!first) throw new Error('savePlausibilityModel: an ensemble needs at least one member');
  const ensemble: EnsembleScoring = { members: members.length, pessimism: opts.pessimism ?? 0 };
  const saved = saveVersionedModel(root, {
    kind: PLAUSIBILITY_KIND,
    weights: first.net.stateDict(),
    config: first.net.config,
    data: first.data,
    metrics: members.length === 1 ? { ...first.metrics } : ensembleMetrics(members),
    options: members.length === 1 ? first.options : { ...first.options, seed: members.map((m) => m.options.seed), ensemble },
    source,
  });
  members.slice(1).forEach((m, i) => saveCheckpoint(join(saved.dir, 'members', String(i + 1)), { tensors: { weights: m.net.stateDict() }, state: { kind: PLAUSIBILITY_KIND, config: m.net.config } }));
  return saved;
}

/** Reads a plausibility reward model (eval mode) from a version folder or the newest version under a root; an ensemble gives its first member. */
export function loadPlausibilityModel(path: string): { net: PlausibilityRewardNet; info: ModelInfo; dir: string } {
  return loadVersionedNet(path, PLAUSIBILITY_KIND, buildRewardNet);
}

/** Reads every member of a model version (one for a single model) and how to combine them. */
export function loadPlausibilityEnsemble(path: string): { nets: PlausibilityRewardNet[]; scoring: EnsembleScoring; info: ModelInfo; dir: string } {
  const { net, info, dir } = loadPlausibilityModel(path);
  const scoring = (info.options.ensemble as EnsembleScoring | undefined) ?? { members: 1, pessimism: 0 };
  const nets = [net];
  for (let i = 1; i < scoring.members; i++) {
    const memberDir = join(dir, 'members', String(i));
    if (!existsSync(memberDir)) throw new RewardModelFileError(dir, `ensemble of ${scoring.members} but member ${i} is missing (${memberDir})`);
    nets.push(buildNet(loadModelCheckpoint(memberDir), buildRewardNet));
  }
  return { nets, scoring, info, dir };
}

/** Members' held-out scores averaged (each member's own out-of-bag or held-out split). */
function ensembleMetrics(members: ReadonlyArray<TrainedPlausibilityModel>): Record<string, unknown> {
  const mean = (xs: (number | undefined)[]) => {
    const ok = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
    return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
  };
  const block = (pick: (m: TrainedPlausibilityModel) => BinaryScores | undefined): BinaryScores | undefined => {
    const present = members.map(pick).filter((b): b is BinaryScores => b !== undefined);
    if (!present.length) return undefined;
    const keys: (keyof BinaryScores)[] = ['auroc', 'accuracy', 'ece', 'brier', 'count', 'positives'];
    return Object.fromEntries(keys.map((k) => [k, mean(present.map((b) => b[k]))])) as unknown as BinaryScores;
  };
  const rated = block((m) => m.metrics.rated);
  const wrongClass = block((m) => m.metrics.wrongClass);
  return {
    ...(rated ? { rated } : {}),
    ...(wrongClass ? { wrongClass } : {}),
    finalLoss: mean(members.map((m) => m.metrics.finalLoss)),
    steps: members.reduce((s, m) => s + m.metrics.steps, 0),
    seconds: members.reduce((s, m) => s + m.metrics.seconds, 0),
    members: members.map((m) => ({ rated: m.metrics.rated, wrongClass: m.metrics.wrongClass, steps: m.metrics.steps })),
  };
}
