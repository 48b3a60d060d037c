// The reward module's public surface: the registry (with every built-in reward
// registered), reward-model training and files, comparative scoring and active choice.
import './builtin-rewards.js';

export * from './registry.js';
export { type RewardImages, toModelInput, toRasters, batchSize, RewardInputError } from './images.js';
export * from './metrics.js';
export * from './comparative.js';
export * from './active.js';
export * from './model-store.js';
export { setDefaultFindingsParser, setDefaultOracle } from './phantom-defaults.js';
export { ratingsFromAnswers, type PlausibilityData, type RatedImage, type RatedPair, type RealImage, type LabelMode, type RatingsSummary } from './plausibility/dataset.js';
export * from './plausibility/train.js';
export { savePlausibilityModel, loadPlausibilityModel, PLAUSIBILITY_KIND } from './plausibility/model-file.js';
export * from './posture/train.js';
export * from './diagnostic/train.js';
export * from './consistency/train.js';
export { plausibilityReward } from './rewards/plausibility.js';
export { classifierReward, trainClassifierReward, saveClassifierReward, loadClassifierReward, type ClassifierRewardModel } from './rewards/classifier.js';
export { postureReward } from './rewards/posture.js';
export { diagnosticReward } from './rewards/diagnostic.js';
export { consistencyReward } from './rewards/consistency.js';
export { compressibilityReward } from './rewards/compressibility.js';
export { oracleReward } from './rewards/oracle.js';
export { loadRealImages } from './real-images.js';
export { type Augmentation } from './augment.js';
