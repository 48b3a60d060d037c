// What `medloop align ddpo` and `medloop align rwl` share: the starting generator as a
// policy, the weighted (and comparative) rewards from reward/'s registry, the
// conditions to sample, and the run folder (fresh, or the one being resumed).
import { readFileSync } from 'node:fs';
import { type ParsedOptions, UsageError, stringOption } from '../command.js';
import { loadGenerator } from '../../diffusion/generator.js';
import { GeneratorPolicy } from '../../align/generator-policy.js';
import { type RewardTerm, RewardSpecError } from '../../align/reward-mix.js';
import { rewardTermsFor as alignRewardTerms } from '../../align/reward-terms.js';
import { type RunDir, createRunDir, resolveRunDir } from '../../workspace/run-dir.js';

export const commonAlignOptions = {
  workspace: { type: 'string', description: 'workspace folder', default: '.' },
  run: { type: 'string', description: 'the starting generator: run id or folder (the anchor for comparative rewards)' },
  conditions: { type: 'string', description: 'file with one condition per line (default: the generator’s classes)' },
  ace: { type: 'string', description: 'learnable condition tokens appended to each condition (ACE; 0 = off)', default: '0' },
  'ace-lr': { type: 'string', description: 'learning rate of the ACE tokens', default: '0.001' },
  seed: { type: 'string', description: 'seed for sampling, batches and ACE init', default: '1' },
  'checkpoint-every': { type: 'string', description: 'iterations between checkpoints' },
  resume: { type: 'boolean', description: 'continue the align run given by --out from its last checkpoint' },
  out: { type: 'string', description: 'align run id or folder to resume (with --resume)' },
  quiet: { type: 'boolean', description: 'no progress output' },
} as const;

export function loadPolicy(workspace: string, run: string): { policy: GeneratorPolicy; source: RunDir } {
  const source = resolveRunDir(workspace, run);
  return { policy: new GeneratorPolicy(loadGenerator(source.dir)), source };
}

export function conditionsFor(opts: ParsedOptions, policy: GeneratorPolicy): string[] {
  const file = stringOption(opts, 'conditions');
  if (file) {
    const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    if (lines.length === 0) throw new UsageError(`--conditions ${file}: no conditions in the file`);
    for (const c of lines) policy.module.validateCondition(c);
    return lines;
  }
  const classes = policy.module.encoder.choices();
  if (!classes) throw new UsageError('this generator is conditioned on text: give --conditions <file with one report per line>');
  return classes;
}

/** Weighted rewards from the registry, the comparative ones marked (each must be among the weighted). */
export async function rewardTermsFor(workspace: string, spec: string, comparative: string[]): Promise<RewardTerm[]> {
  try {
    return await alignRewardTerms({ workspace }, spec, comparative);
  } catch (e) {
    if (e instanceof RewardSpecError) throw new UsageError(`--comparative ${comparative.join(',')}: ${e.message}`);
    throw e;
  }
}

export function listOption(opts: ParsedOptions, key: string): string[] {
  return (stringOption(opts, key) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** The align run's folder: a new one, or the one to resume. */
export function alignRunDir(opts: ParsedOptions, workspace: string, kind: string, config: unknown): RunDir {
  if (!opts.resume) return createRunDir(workspace, kind, config);
  const out = stringOption(opts, 'out');
  if (!out) throw new UsageError('--resume needs --out <align run id or folder>');
  return resolveRunDir(workspace, out);
}

export { exportGenerator } from '../../align/export.js';
