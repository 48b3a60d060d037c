// `medloop align ddpo`: policy-gradient finetuning (DDPO-IS) of a generator run with
// weighted rewards, optional comparative feedback (RLCF) and ACE tokens.
import { type Command, choiceOption, numberOption, stringOption, UsageError } from '../command.js';
import { Progress } from '../progress.js';
import { keepBestCheckpoint } from '../../align/checkpoint-choice.js';
import { DEFAULT_DDPO_CONFIG, type DdpoConfig, runDdpo, trainableSteps } from '../../align/ddpo.js';
import { alignRunDir, commonAlignOptions, conditionsFor, exportGenerator, listOption, loadPolicy, rewardTermsFor } from './align-common.js';

function skipStepsOption(v: string): { first: number; last: number } {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(v);
  if (!m) throw new UsageError(`--skip-steps must be FIRST,LAST (two whole numbers, e.g. 1,1), got '${v}'`);
  return { first: Number(m[1]), last: Number(m[2]) };
}

export const alignDdpoCommand: Command = {
  path: ['align', 'ddpo'],
  summary: 'Finetune a generator by policy gradient (DDPO-IS) on weighted, optionally comparative rewards, with ACE tokens',
  options: {
    ...commonAlignOptions,
    rewards: { type: 'string', description: 'weighted rewards, e.g. plausibility:1,posture:0.5', default: 'plausibility:1' },
    comparative: { type: 'string', description: 'rewards scored against the frozen anchor’s sample (RLCF), e.g. diagnostic,consistency' },
    iterations: { type: 'string', description: 'sampling + training rounds', default: String(DEFAULT_DDPO_CONFIG.iterations) },
    batch: { type: 'string', description: 'trajectories per iteration', default: String(DEFAULT_DDPO_CONFIG.batchSize) },
    'train-batch': { type: 'string', description: 'samples per gradient step', default: String(DEFAULT_DDPO_CONFIG.trainBatchSize) },
    'inner-epochs': { type: 'string', description: 'passes over each batch', default: String(DEFAULT_DDPO_CONFIG.innerEpochs) },
    steps: { type: 'string', description: 'DDIM steps', default: String(DEFAULT_DDPO_CONFIG.steps) },
    eta: { type: 'string', description: 'DDIM η (> 0)', default: String(DEFAULT_DDPO_CONFIG.eta) },
    cfg: { type: 'string', description: 'classifier-free guidance scale', default: String(DEFAULT_DDPO_CONFIG.guidance) },
    lr: { type: 'string', description: 'generator learning rate', default: String(DEFAULT_DDPO_CONFIG.lr) },
    'clip-range': { type: 'string', description: 'ε of the clipped ratio', default: String(DEFAULT_DDPO_CONFIG.clipRange) },
    kl: { type: 'string', description: 'weight of KL to the anchor (0 = off)', default: '0' },
    'timestep-fraction': { type: 'string', description: 'share of each trajectory’s trainable steps trained on', default: String(DEFAULT_DDPO_CONFIG.timestepFraction) },
    'skip-steps': { type: 'string', description: 'steps left out of training at the start and end of each trajectory, FIRST,LAST (0,0 = DDPO’s; the first and last steps’ log-prob gradients swamp the rest)', default: '1,1' },
    'condition-draw': { type: 'string', description: 'uniform (independent draws) or balanced (each condition equally often per batch)', default: DEFAULT_DDPO_CONFIG.conditionDraw },
    keep: { type: 'string', description: 'checkpoint exported: last, or best (the best mean batch reward over --keep-window iterations around it; checkpoints every 2 iterations unless --checkpoint-every)', default: 'last' },
    'keep-window': { type: 'string', description: 'with --keep best: iterations averaged around each checkpoint', default: '8' },
    'advantage-fallback': { type: 'string', description: 'advantage statistics before a condition has history: batch or condition-batch', default: DEFAULT_DDPO_CONFIG.advantages.fallback },
  },
  async run(opts) {
    const workspace = stringOption(opts, 'workspace', true);
    const { policy, source } = loadPolicy(workspace, stringOption(opts, 'run', true));
    const spec = stringOption(opts, 'rewards', true);
    const rewards = await rewardTermsFor(workspace, spec, listOption(opts, 'comparative'));
    const keep = choiceOption(opts, 'keep', ['last', 'best'] as const, 'last');
    const keepWindow = numberOption(opts, 'keep-window', 8);
    if (!(Number.isInteger(keepWindow) && keepWindow >= 1)) throw new UsageError(`--keep-window must be a whole number of iterations ≥ 1, got ${keepWindow}`);
    const cfg: DdpoConfig = {
      ...DEFAULT_DDPO_CONFIG,
      conditions: conditionsFor(opts, policy),
      iterations: numberOption(opts, 'iterations', DEFAULT_DDPO_CONFIG.iterations),
      batchSize: numberOption(opts, 'batch', DEFAULT_DDPO_CONFIG.batchSize),
      trainBatchSize: numberOption(opts, 'train-batch', DEFAULT_DDPO_CONFIG.trainBatchSize),
      innerEpochs: numberOption(opts, 'inner-epochs', DEFAULT_DDPO_CONFIG.innerEpochs),
      steps: numberOption(opts, 'steps', DEFAULT_DDPO_CONFIG.steps),
      eta: numberOption(opts, 'eta', DEFAULT_DDPO_CONFIG.eta),
      guidance: numberOption(opts, 'cfg', DEFAULT_DDPO_CONFIG.guidance),
      lr: numberOption(opts, 'lr', DEFAULT_DDPO_CONFIG.lr),
      aceTokens: numberOption(opts, 'ace', 0),
      aceLr: numberOption(opts, 'ace-lr', DEFAULT_DDPO_CONFIG.aceLr),
      clipRange: numberOption(opts, 'clip-range', DEFAULT_DDPO_CONFIG.clipRange),
      klToAnchor: numberOption(opts, 'kl', 0),
      timestepFraction: numberOption(opts, 'timestep-fraction', DEFAULT_DDPO_CONFIG.timestepFraction),
      skipSteps: skipStepsOption(stringOption(opts, 'skip-steps') ?? '1,1'),
      conditionDraw: choiceOption(opts, 'condition-draw', ['uniform', 'balanced'] as const, DEFAULT_DDPO_CONFIG.conditionDraw),
      advantages: { ...DEFAULT_DDPO_CONFIG.advantages, fallback: choiceOption(opts, 'advantage-fallback', ['batch', 'condition-batch'] as const, DEFAULT_DDPO_CONFIG.advantages.fallback) },
      seed: numberOption(opts, 'seed', 1),
      checkpointEvery: numberOption(opts, 'checkpoint-every', keep === 'best' ? 2 : DEFAULT_DDPO_CONFIG.checkpointEvery),
      // --keep best chooses among every checkpoint the run wrote
      ...(keep === 'best' ? { keepCheckpoints: Number.MAX_SAFE_INTEGER } : {}),
      record: { rewards: rewards.map(({ name, weight, comparative }) => ({ name, weight, comparative })), anchor: policy.module.source.checkpointDir ?? source.dir, data: `samples of ${source.id}` },
    };
    if (!(cfg.timestepFraction > 0 && cfg.timestepFraction <= 1)) throw new UsageError(`--timestep-fraction must be in (0, 1], got ${cfg.timestepFraction}`);
    try {
      trainableSteps(cfg);
    } catch (e) {
      throw new UsageError(`--skip-steps: ${(e as Error).message}`);
    }
    if (!(cfg.eta > 0)) throw new UsageError('--eta must be > 0: policy gradients need a stochastic sampler');
    const out = alignRunDir(opts, workspace, 'ddpo', { parent: source.id, ddpo: cfg });
    const progress = new Progress({ label: `ddpo ${out.id}`, total: cfg.iterations, silent: Boolean(opts.quiet), resumable: Boolean(opts.resume) });
    const res = await runDdpo(cfg, {
      policy,
      rewards,
      outDir: out.dir,
      resume: Boolean(opts.resume),
      onIteration: (m) => progress.set(m.iteration + 1, `reward ${m.reward.mean.toFixed(4)} kl ${m.approxKl.toExponential(2)} clip ${m.clipFraction.toFixed(2)}`),
    });
    progress.finish();
    const kept = keep === 'best' ? keepBestCheckpoint(out.dir, policy, keepWindow) : null;
    const bundle = exportGenerator(out.dir, policy, kept?.iteration ?? res.iteration);
    console.log(
      JSON.stringify({
        run: out.id,
        dir: out.dir,
        generator: bundle,
        iterations: res.iteration,
        lastReward: res.history.at(-1)?.reward.mean ?? null,
        ...(kept ? { kept: { iteration: kept.iteration, score: kept.score, batches: kept.batches } } : {}),
      }),
    );
    policy.dispose();
    return 0;
  },
};
