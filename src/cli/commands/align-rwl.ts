// `medloop align rwl`: reward-weighted likelihood (Sun et al.): fresh samples of the
// generator rated by a reward (the plausibility model's P(plausible) by default), plus
// β × the ordinary loss on real images.
import { type Command, choiceOption, numberOption, stringOption } from '../command.js';
import { Progress } from '../progress.js';
import { Generator, dispose, tensor } from '../../engine/index.js';
import { loadImages } from '../../data/loader.js';
import { loadManifest } from '../../data/manifest.js';
import { rastersToNCHW } from '../../data/nchw.js';
import { DEFAULT_RWL_CONFIG, REWARD_BASELINES, type RwlConfig, rateFreshSamples, runRwl } from '../../align/rwl.js';
import { alignRunDir, commonAlignOptions, conditionsFor, exportGenerator, loadPolicy, rewardTermsFor } from './align-common.js';

export const alignRwlCommand: Command = {
  path: ['align', 'rwl'],
  summary: 'Finetune a generator by reward-weighted likelihood on rated samples plus real images (Sun et al.)',
  options: {
    ...commonAlignOptions,
    reward: { type: 'string', description: 'reward(s) that rate the samples, e.g. plausibility', default: 'plausibility' },
    data: { type: 'string', description: 'real images (folder, CSV or shared data set) for the β term' },
    'per-condition': { type: 'string', description: 'samples rated per condition', default: '32' },
    steps: { type: 'string', description: 'training steps', default: String(DEFAULT_RWL_CONFIG.steps) },
    'sample-steps': { type: 'string', description: 'DDIM steps for the rated samples', default: '25' },
    cfg: { type: 'string', description: 'guidance scale for the rated samples', default: '2' },
    batch: { type: 'string', description: 'synthetic and real images per step', default: String(DEFAULT_RWL_CONFIG.syntheticBatch) },
    beta: { type: 'string', description: 'weight of the real-image loss', default: String(DEFAULT_RWL_CONFIG.beta) },
    'cond-dropout': { type: 'string', description: 'share of conditions replaced by NULL, as in pretraining (keeps guidance calibrated)', default: String(DEFAULT_RWL_CONFIG.condDropout) },
    lr: { type: 'string', description: 'learning rate', default: String(DEFAULT_RWL_CONFIG.lr) },
    'reward-baseline': { type: 'string', description: "zero of the rewards' weights: none (Sun et al.) or condition-mean (subtract each condition's mean reward)", default: DEFAULT_RWL_CONFIG.rewardBaseline },
  },
  async run(opts) {
    const workspace = stringOption(opts, 'workspace', true);
    const { policy, source } = loadPolicy(workspace, stringOption(opts, 'run', true));
    const spec = stringOption(opts, 'reward', true);
    const rewards = await rewardTermsFor(workspace, spec, []);
    const conditions = conditionsFor(opts, policy);
    const seed = numberOption(opts, 'seed', 1);
    const rated = await rateFreshSamples(policy, rewards, conditions, numberOption(opts, 'per-condition', 32), { steps: numberOption(opts, 'sample-steps', 25), eta: 1, guidance: numberOption(opts, 'cfg', 2), batch: 32 }, new Generator(seed + 7));
    const dataPath = stringOption(opts, 'data', true);
    const manifest = loadManifest(dataPath);
    const { size, channels } = policy.module.config.image;
    const entries = manifest.entries.filter((e) => e.label !== undefined || e.report !== undefined);
    const loaded = await loadImages(manifest, entries, { size, channels, onError: 'skip' });
    const nchw = rastersToNCHW(loaded.images, { channels, range: [-1, 1] });
    const real = { images: tensor(nchw.data, nchw.shape), conditions: loaded.entries.map((e) => (policy.module.encoder.kind === 'class' ? e.label! : e.report!)) };
    const batch = numberOption(opts, 'batch', DEFAULT_RWL_CONFIG.syntheticBatch);
    const cfg: RwlConfig = {
      ...DEFAULT_RWL_CONFIG,
      steps: numberOption(opts, 'steps', DEFAULT_RWL_CONFIG.steps),
      syntheticBatch: batch,
      realBatch: batch,
      beta: numberOption(opts, 'beta', DEFAULT_RWL_CONFIG.beta),
      condDropout: numberOption(opts, 'cond-dropout', DEFAULT_RWL_CONFIG.condDropout),
      lr: numberOption(opts, 'lr', DEFAULT_RWL_CONFIG.lr),
      rewardBaseline: choiceOption(opts, 'reward-baseline', REWARD_BASELINES, DEFAULT_RWL_CONFIG.rewardBaseline),
      aceTokens: numberOption(opts, 'ace', 0),
      aceLr: numberOption(opts, 'ace-lr', DEFAULT_RWL_CONFIG.aceLr),
      seed,
      checkpointEvery: numberOption(opts, 'checkpoint-every', DEFAULT_RWL_CONFIG.checkpointEvery),
      record: { rewards: spec, anchor: policy.module.source.checkpointDir ?? source.dir, data: `${manifest.source} (${loaded.images.length} real) + ${rated.conditions.length} rated samples of ${source.id}` },
    };
    const out = alignRunDir(opts, workspace, 'rwl', { parent: source.id, rwl: cfg, ratedReward: rated.summary });
    const progress = new Progress({ label: `rwl ${out.id}`, total: cfg.steps, silent: Boolean(opts.quiet), resumable: Boolean(opts.resume) });
    const res = await runRwl(cfg, { policy, synthetic: rated, real, outDir: out.dir, resume: Boolean(opts.resume), onStep: (m) => progress.set(m.iteration + 1, `loss ${m.loss.toFixed(4)}`) });
    progress.finish();
    const bundle = exportGenerator(out.dir, policy, res.iteration);
    console.log(JSON.stringify({ run: out.id, dir: out.dir, generator: bundle, steps: res.iteration, ratedReward: rated.summary.mean }));
    dispose([rated.images, real.images]);
    policy.dispose();
    return 0;
  },
};
