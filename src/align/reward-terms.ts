// Reward terms for alignment from reward/'s registry: weighted from a spec string
// (`plausibility:1,posture:0.5`), the comparative (RLCF) ones marked.
import { loadRewards, parseRewardWeights, type RewardContext } from '../reward/registry.js';
import '../reward/builtin-rewards.js';
import { type RewardTerm, RewardSpecError } from './reward-mix.js';

export async function rewardTermsFor(ctx: RewardContext, spec: string, comparative: readonly string[]): Promise<RewardTerm[]> {
  const weights = parseRewardWeights(spec);
  const unknown = comparative.filter((c) => !weights.some((w) => w.name === c));
  if (unknown.length) throw new RewardSpecError(spec, `comparative rewards ${unknown.join(', ')} are not among its weighted rewards`);
  const combined = await loadRewards(weights, ctx);
  return combined.parts.map((p) => ({ name: p.name, weight: p.weight, fn: p.fn, comparative: comparative.includes(p.name) }));
}
