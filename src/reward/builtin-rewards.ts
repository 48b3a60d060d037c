// Every built-in reward, registered in one place. Model-backed rewards load the newest
// version of their model from the context (see registry.ts, `modelDirFor`).
import { consistencyReward } from './rewards/consistency.js';
import { classifierReward, loadClassifierReward } from './rewards/classifier.js';
import { compressibilityReward } from './rewards/compressibility.js';
import { diagnosticReward } from './rewards/diagnostic.js';
import { oracleReward } from './rewards/oracle.js';
import { plausibilityReward } from './rewards/plausibility.js';
import { postureReward } from './rewards/posture.js';
import { loadDualEncoder } from './consistency/train.js';
import { loadFindingsClassifier } from './diagnostic/train.js';
import { loadPlausibilityEnsemble } from './plausibility/model-file.js';
import { loadPostureRegressor } from './posture/train.js';
import { RewardConfigError, modelDirFor, registerReward } from './registry.js';
import { defaultFindingsParser, defaultOracle } from './phantom-defaults.js';

registerReward(
  'plausibility',
  (ctx) => {
    const { nets, scoring } = loadPlausibilityEnsemble(modelDirFor(ctx, 'plausibility'));
    return plausibilityReward(nets, scoring.pessimism);
  },
  { description: "reward model's P(plausible | image, condition), trained from expert ratings (Sun et al.); an ensemble scores mean − pessimism × sd", needsModel: true },
);
registerReward('classifier', (ctx) => classifierReward(loadClassifierReward(modelDirFor(ctx, 'classifier'))), {
  description: 'confidence of a classifier trained on real images that the image shows its intended class',
  needsModel: true,
});
registerReward('posture', (ctx) => postureReward(loadPostureRegressor(modelDirFor(ctx, 'posture')).net), {
  description: 'CXRL: −‖ψ − identity‖ of the affine pose read off the X-ray',
  needsModel: true,
});
registerReward(
  'diagnostic',
  (ctx) => {
    const parse = ctx.parseFindings ?? defaultFindingsParser();
    if (!parse) throw new RewardConfigError("reward 'diagnostic' needs a report → findings parser (context.parseFindings)");
    return diagnosticReward(loadFindingsClassifier(modelDirFor(ctx, 'diagnostic')).net, parse);
  },
  { description: 'CXRL: agreement of the findings seen in the image with the findings stated in the report', needsModel: true },
);
registerReward('consistency', (ctx) => consistencyReward(loadDualEncoder(modelDirFor(ctx, 'consistency')).net), {
  description: 'CXRL: cosine similarity of image and report in a contrastive dual encoder',
  needsModel: true,
});
registerReward('compressibility', () => compressibilityReward(), { description: "DDPO's sanity reward: −PNG bits per pixel" });
registerReward(
  'oracle',
  (ctx) => {
    const judge = ctx.oracle ?? defaultOracle();
    if (!judge) throw new RewardConfigError("reward 'oracle' needs a judge (context.oracle)");
    return oracleReward(judge);
  },
  { description: 'phantom oracle verdict (1 plausible / 0 not): evaluation and guards only', evaluationOnly: true },
);
