// The reward registry (kvablack/ddpo-pytorch style): a reward is a plain function
// (images, conditions) → numbers, registered by name in one place, and combined with
// weights from a config string such as `plausibility:1,posture:0.5`. Most rewards need
// a trained model, so what is registered is a factory that builds the function from a
// context (the workspace, or explicit model folders); `loadRewards` builds and weights them.
import type { Raster } from '../data/raster.js';
import type { RewardImages } from './images.js';
import { type ModelInfo, resolveModelDir, rewardModelRoot } from './model-store.js';

/** Images NCHW in [-1, 1] (a generator's batch) or rasters; conditions: class names or report texts. */
export type RewardFn = (images: RewardImages, conditions: string[]) => Promise<number[]> | number[];

export type FindingsParser = (report: string) => Record<string, boolean>;
export type OracleJudge = (image: Raster, condition: string) => { plausible: boolean; failedCriteria: string[] };

export interface RewardContext {
  /** Workspace root: a reward's model defaults to the newest version under `<workspace>/rewards/<name>`. */
  workspace?: string;
  /** Model folders by reward name (a version folder or a root of versions), overriding the workspace default. */
  models?: Record<string, string>;
  /** `diagnostic`: report text → stated findings (default: the CXR phantom report parser). */
  parseFindings?: FindingsParser;
  /** `oracle`: the judge (default: the phantom oracle for the condition's domain). */
  oracle?: OracleJudge;
}

export type RewardFactory = (ctx: RewardContext) => RewardFn | Promise<RewardFn>;

export interface RewardSpec {
  name: string;
  description: string;
  factory: RewardFactory;
  /** Knows the truth (phantom oracles): for evaluation and guards, never optimised. */
  evaluationOnly: boolean;
  /** Needs a trained model folder. */
  needsModel: boolean;
}

export class RewardConfigError extends Error {
  override name = 'RewardConfigError';
}

const registry = new Map<string, RewardSpec>();

export function registerReward(name: string, factory: RewardFactory, opts: { description?: string; evaluationOnly?: boolean; needsModel?: boolean } = {}): void {
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new RewardConfigError(`reward name '${name}' must be lower-case letters, digits, _ or -`);
  registry.set(name, { name, factory, description: opts.description ?? '', evaluationOnly: opts.evaluationOnly ?? false, needsModel: opts.needsModel ?? false });
}

export function getRewardSpec(name: string): RewardSpec {
  const s = registry.get(name);
  if (!s) throw new RewardConfigError(`unknown reward '${name}' (known: ${[...registry.keys()].sort().join(', ')})`);
  return s;
}

export function listRewards(): RewardSpec[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The model folder of a reward: `ctx.models[name]`, else `<workspace>/rewards/<name>` (newest version). */
export function modelDirFor(ctx: RewardContext, name: string): string {
  const explicit = ctx.models?.[name];
  if (explicit) return resolveModelDir(explicit);
  if (!ctx.workspace) throw new RewardConfigError(`reward '${name}' needs a trained model: give a workspace or models.${name}`);
  return resolveModelDir(rewardModelRoot(ctx.workspace, name));
}

export interface WeightedRewardName {
  name: string;
  weight: number;
}

/** `plausibility:1,posture:0.5` → [{name, weight}]; a bare name has weight 1. Names must be registered. */
export function parseRewardWeights(spec: string): WeightedRewardName[] {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new RewardConfigError(`reward spec '${spec}' names no reward`);
  const seen = new Set<string>();
  return parts.map((p) => {
    const m = /^([a-z][a-z0-9_-]*)\s*(?::\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?))?$/i.exec(p);
    if (!m) throw new RewardConfigError(`reward spec '${spec}': cannot read '${p}' (expected name or name:weight)`);
    const name = m[1]!.toLowerCase();
    getRewardSpec(name);
    if (seen.has(name)) throw new RewardConfigError(`reward spec '${spec}': '${name}' appears twice`);
    seen.add(name);
    const weight = m[2] === undefined ? 1 : Number(m[2]);
    if (!Number.isFinite(weight)) throw new RewardConfigError(`reward spec '${spec}': weight of '${name}' is not a number`);
    return { name, weight };
  });
}

export interface WeightedReward {
  name: string;
  weight: number;
  fn: RewardFn;
}

/** A weighted sum of rewards that also reports each part (for logging and hacking guards). */
export interface CombinedReward extends RewardFn {
  parts: WeightedReward[];
  /** The weighted total and every part's raw values. */
  score(images: RewardImages, conditions: string[]): Promise<{ total: number[]; byName: Record<string, number[]> }>;
}

export function combineRewards(parts: WeightedReward[]): CombinedReward {
  const score = async (images: RewardImages, conditions: string[]) => {
    const byName: Record<string, number[]> = {};
    const total = new Array<number>(conditions.length).fill(0);
    for (const p of parts) {
      const v = await p.fn(images, conditions);
      if (v.length !== conditions.length) throw new RewardConfigError(`reward '${p.name}' returned ${v.length} values for ${conditions.length} images`);
      byName[p.name] = v;
      v.forEach((x, i) => (total[i] += p.weight * x));
    }
    return { total, byName };
  };
  const fn = (async (images: RewardImages, conditions: string[]) => (await score(images, conditions)).total) as CombinedReward;
  fn.parts = parts;
  fn.score = score;
  return fn;
}

/**
 * Builds the rewards of a spec (`plausibility:1,posture:0.5` or parsed) and their weighted sum.
 * Evaluation-only rewards (oracles) are refused unless `allowEvaluationOnly` (eval and guards).
 */
export async function loadRewards(spec: string | WeightedRewardName[], ctx: RewardContext, opts: { allowEvaluationOnly?: boolean } = {}): Promise<CombinedReward> {
  const names = typeof spec === 'string' ? parseRewardWeights(spec) : spec;
  const parts: WeightedReward[] = [];
  for (const { name, weight } of names) {
    const s = getRewardSpec(name);
    if (s.evaluationOnly && !opts.allowEvaluationOnly) throw new RewardConfigError(`reward '${name}' is for evaluation only (it knows the truth); it cannot be optimised`);
    parts.push({ name, weight, fn: await s.factory(ctx) });
  }
  return combineRewards(parts);
}

export async function loadReward(name: string, ctx: RewardContext, opts: { allowEvaluationOnly?: boolean } = {}): Promise<RewardFn> {
  return (await loadRewards([{ name, weight: 1 }], ctx, opts)).parts[0]!.fn;
}

export type { ModelInfo };
