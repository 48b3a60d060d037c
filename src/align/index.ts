// Alignment: reward-weighted likelihood, DDPO-IS with weighted and comparative rewards, ACE.
export { AceTokens } from './ace.js';
export { type AdvantageOptions, DEFAULT_ADVANTAGE_OPTIONS, PerConditionAdvantages } from './advantages.js';
export { type ClippedPolicyLoss, clippedPolicyLoss } from './clipped-loss.js';
export { ComparativeAnchor } from './comparative.js';
export { DEFAULT_DDPO_CONFIG, type DdpoConfig, type DdpoInputs, type DdpoIterationMetrics, type DdpoResult, drawBalancedConditions, drawConditions, runDdpo } from './ddpo.js';
export { type CheckpointChoice, type CheckpointScore, chooseCheckpoint, keepBestCheckpoint } from './checkpoint-choice.js';
export { GeneratorPolicy } from './generator-policy.js';
export { type DiffusionPolicy, type StepDistribution, type StepOptions, gaussianKlSameStd, gaussianLogProb } from './policy.js';
export { type RewardFunction, type RewardTerm, RewardSpecError, parseRewardWeights, rewardTerms, scoreRewards, summarise } from './reward-mix.js';
export { AlignResumeError } from './run-state.js';
export { DEFAULT_RWL_CONFIG, type ImageSet, type RatedSet, type RwlConfig, rateFreshSamples, rewardWeightedLoss, rewardWeights, runRwl, rwlLoss, REWARD_BASELINES, type RewardBaseline } from './rwl.js';
export { type Trajectory, gatherSteps, sampleTrajectory } from './sampling.js';
