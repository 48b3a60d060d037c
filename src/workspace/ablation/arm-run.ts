// One arm of the ablation: DDPO from the pretrained generator with the arm's
// rewards, comparative terms and ACE tokens, into <out>/arms/<name>/ (checkpoints
// and metrics.jsonl from runDdpo, then the exported bundle in generator/). Every
// arm uses the same seed, so all start from the same weights and draw the same
// first batch of reports and noise. An interrupted arm resumes from its newest
// checkpoint; a finished one (its bundle exists) is reused.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DDPO_CONFIG, type DdpoConfig, type DdpoIterationMetrics, runDdpo } from '../../align/ddpo.js';
import { exportGenerator } from '../../align/export.js';
import { GeneratorPolicy } from '../../align/generator-policy.js';
import type { RewardTerm } from '../../align/reward-mix.js';
import { loadGenerator } from '../../diffusion/generator.js';
import type { RewardFn } from '../../reward/registry.js';
import type { AblationArm, CxrRewardName } from './arms.js';
import type { CxrAblationConfig } from './config.js';

export interface ArmRun {
  /** The exported generator bundle (loadGenerator reads it, ACE tokens included). */
  generatorDir: string;
  /** Iterations this call ran (0 when the arm was reused). */
  iterationsRun: number;
  /** Mean training reward (weighted total) of the first and last iteration this call ran. */
  firstReward: number | null;
  lastReward: number | null;
}

export function armDdpoConfig(arm: AblationArm, cfg: CxrAblationConfig, conditions: string[], weights: Record<CxrRewardName, number>, anchor: string): DdpoConfig {
  return {
    ...DEFAULT_DDPO_CONFIG,
    ...cfg.ddpo,
    eta: 1,
    conditions,
    aceTokens: arm.aceTokens,
    seed: cfg.seed,
    record: { rewards: armRewardTerms(arm, weights).map(({ name, weight, comparative }) => ({ name, weight, comparative })), anchor, data: 'phantom CXR reports (ablation training set)' },
  };
}

/** The arm's weighted terms, without functions (for records) or with them. */
export function armRewardTerms(arm: AblationArm, weights: Record<CxrRewardName, number>): Omit<RewardTerm, 'fn'>[];
export function armRewardTerms(arm: AblationArm, weights: Record<CxrRewardName, number>, fns: Record<CxrRewardName, RewardFn>): RewardTerm[];
export function armRewardTerms(arm: AblationArm, weights: Record<CxrRewardName, number>, fns?: Record<CxrRewardName, RewardFn>): Omit<RewardTerm, 'fn'>[] {
  return arm.rewards.map((name) => ({ name, weight: weights[name], comparative: arm.comparative.includes(name), ...(fns ? { fn: fns[name] } : {}) }));
}

/**
 * Leaves only parameters whose name matches one of the `trainable` patterns learning
 * (all when there are none); returns how many values learn. The optimiser skips a
 * parameter without a gradient, so the frozen ones stay exactly as pretrained.
 */
export function freezeAllBut(policy: GeneratorPolicy, trainable: readonly string[]): number {
  const patterns = trainable.map((t) => new RegExp(t));
  let count = 0;
  for (const [name, p] of policy.module.namedParameters()) {
    const on = patterns.length === 0 || patterns.some((re) => re.test(name));
    p.requiresGrad_(on);
    if (on) count += p.size;
  }
  return count;
}

export async function runArm(
  out: string,
  arm: AblationArm,
  opts: { cfg: CxrAblationConfig; baseGenerator: string; conditions: string[]; weights: Record<CxrRewardName, number>; rewards: Record<CxrRewardName, RewardFn>; onIteration?: (m: DdpoIterationMetrics) => void },
): Promise<ArmRun> {
  const dir = join(out, 'arms', arm.name);
  const bundle = join(dir, 'generator');
  if (existsSync(join(bundle, 'state.json'))) return { generatorDir: bundle, iterationsRun: 0, firstReward: null, lastReward: null };
  const policy = new GeneratorPolicy(loadGenerator(opts.baseGenerator));
  freezeAllBut(policy, opts.cfg.trainable);
  try {
    const cfg = armDdpoConfig(arm, opts.cfg, opts.conditions, opts.weights, opts.baseGenerator);
    const res = await runDdpo(cfg, { policy, rewards: armRewardTerms(arm, opts.weights, opts.rewards), outDir: dir, resume: true, ...(opts.onIteration ? { onIteration: opts.onIteration } : {}) });
    const generatorDir = exportGenerator(dir, policy, res.iteration);
    return { generatorDir, iterationsRun: res.history.length, firstReward: res.history[0]?.reward.mean ?? null, lastReward: res.history.at(-1)?.reward.mean ?? null };
  } finally {
    policy.dispose();
  }
}
