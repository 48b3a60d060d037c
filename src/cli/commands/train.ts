// `medloop train`: pretrains a conditional diffusion generator on a folder or CSV of
// real images (class labels or report text as conditions) into <workspace>/runs/<id>/,
// with progress (loss, ETA), checkpoints, sample grids, and `--resume` after a kill.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, UsageError, choiceOption, numberOption, stringOption } from '../command.js';
import { Progress } from '../progress.js';
import { seedInit, setNumThreads, tensor } from '../../engine/index.js';
import { loadManifest } from '../../data/manifest.js';
import { loadImages } from '../../data/loader.js';
import { rastersToNCHW } from '../../data/nchw.js';
import { encodePng } from '../../data/png.js';
import { PREDICTIONS } from '../../diffusion/prediction.js';
import { type GeneratorConfig, createGenerator } from '../../diffusion/generator.js';
import { imageGrid } from '../../diffusion/images.js';
import { DEFAULT_PRETRAIN_CONFIG, type PretrainConfig, pretrain } from '../../diffusion/pretrain.js';
import { DEFAULT_SCHEDULE, type BetaScheduleKind } from '../../diffusion/schedule.js';
import { buildVocabulary } from '../../models/conditions/word-tokenizer.js';
import { defaultUNetConfig } from '../../models/unet.js';
import { createRunDir, latestRunDir, resolveRunDir } from '../../workspace/run-dir.js';

/** What `config.json` of a generator run holds: enough to rebuild and resume it. */
export interface TrainRunConfig {
  data: { path: string; size: number; channels: 1 | 3; condition: 'class' | 'text'; limit?: number };
  generator: GeneratorConfig;
  pretrain: PretrainConfig;
}

export const trainCommand: Command = {
  path: ['train'],
  summary: 'Pretrain a conditional diffusion generator on real images',
  options: {
    data: { type: 'string', description: 'image folder (<label>/<file>), CSV manifest, or shared data set folder' },
    workspace: { type: 'string', description: 'workspace folder (runs go to <workspace>/runs/<id>)', default: '.' },
    size: { type: 'string', description: 'image size (32 or 64)', default: '32' },
    channels: { type: 'string', description: '1 (grey) or 3 (RGB)', default: '3' },
    condition: { type: 'string', description: 'class (labels) or text (reports)', default: 'class' },
    steps: { type: 'string', description: 'training steps', default: String(DEFAULT_PRETRAIN_CONFIG.steps) },
    batch: { type: 'string', description: 'batch size', default: String(DEFAULT_PRETRAIN_CONFIG.batchSize) },
    lr: { type: 'string', description: 'peak learning rate', default: String(DEFAULT_PRETRAIN_CONFIG.lr) },
    'warmup-steps': { type: 'string', description: 'linear warm-up steps', default: String(DEFAULT_PRETRAIN_CONFIG.warmupSteps) },
    'checkpoint-every': { type: 'string', description: 'steps between checkpoints', default: String(DEFAULT_PRETRAIN_CONFIG.checkpointEvery) },
    'sample-every': { type: 'string', description: 'steps between sample grids (0 = none)', default: String(DEFAULT_PRETRAIN_CONFIG.sampleEvery) },
    'base-channels': { type: 'string', description: 'UNet base width (default 32)' },
    'channel-mult': { type: 'string', description: 'UNet width multipliers per level, e.g. 1,2,4' },
    'res-blocks': { type: 'string', description: 'residual blocks per level (default 1)' },
    schedule: { type: 'string', description: 'beta schedule: linear or cosine', default: DEFAULT_SCHEDULE.kind },
    prediction: { type: 'string', description: 'what the UNet predicts: epsilon, or v (well conditioned at the noisiest steps; better few-step samples)', default: 'epsilon' },
    seed: { type: 'string', description: 'seed for weights, data order and noise', default: '0' },
    limit: { type: 'string', description: 'use at most this many images (quick runs)' },
    resume: { type: 'boolean', description: 'continue the latest generator run (or --run) from its last checkpoint' },
    run: { type: 'string', description: 'run id or folder to resume (with --resume)' },
    threads: { type: 'string', description: 'CPU threads for libtorch (default: libtorch\'s choice; 1 is faster on a busy machine)' },
    quiet: { type: 'boolean', description: 'no progress output' },
  },
  async run(opts) {
    const workspace = stringOption(opts, 'workspace', true);
    if (stringOption(opts, 'threads')) setNumThreads(numberOption(opts, 'threads', 1));
    let runDir: { id: string; dir: string };
    let cfg: TrainRunConfig;
    if (opts.resume) {
      const runOpt = stringOption(opts, 'run');
      const found = runOpt ? resolveRunDir(workspace, runOpt) : latestRunDir(workspace, 'gen');
      if (!found) throw new UsageError(`--resume: no generator run in ${join(workspace, 'runs')} to resume`);
      runDir = found;
      cfg = (JSON.parse(readFileSync(join(found.dir, 'config.json'), 'utf8')) as { config: TrainRunConfig }).config;
      if (opts.steps !== DEFAULT_PRETRAIN_CONFIG.steps.toString() && stringOption(opts, 'steps') !== undefined) cfg.pretrain.steps = numberOption(opts, 'steps', cfg.pretrain.steps);
    } else {
      cfg = await freshConfig(opts);
      runDir = { id: '', dir: '' };
    }

    const quiet = Boolean(opts.quiet);
    const say = (line: string) => {
      if (!quiet) console.error(line);
    };
    const { data: dataCfg } = cfg;
    const manifest = loadManifest(dataCfg.path);
    let entries = manifest.entries.filter((e) => (dataCfg.condition === 'class' ? e.label !== undefined : e.report !== undefined));
    if (entries.length === 0) throw new UsageError(`${manifest.source}: no entries with a ${dataCfg.condition === 'class' ? 'label' : 'report'} to condition on`);
    if (dataCfg.limit !== undefined) entries = spread(entries, dataCfg.limit);
    const loadProgress = new Progress({ label: 'load', total: entries.length, silent: quiet });
    const loaded = await loadImages(manifest, entries, { size: dataCfg.size, channels: dataCfg.channels, onError: 'skip', onProgress: (d) => loadProgress.set(d) });
    loadProgress.finish();
    if (loaded.skipped.length) say(`skipped ${loaded.skipped.length} unreadable images (first: ${loaded.skipped[0]!.path}: ${loaded.skipped[0]!.reason})`);
    const conditions = loaded.entries.map((e) => (dataCfg.condition === 'class' ? e.label! : e.report!));

    if (!opts.resume) {
      if (dataCfg.condition === 'text' && cfg.generator.condition.kind === 'text') cfg.generator.condition.vocabulary = buildVocabulary(conditions);
      runDir = createRunDir(workspace, 'gen', cfg);
    }
    seedInit(cfg.pretrain.seed);
    const gen = createGenerator(cfg.generator);
    const nchw = rastersToNCHW(loaded.images, { channels: dataCfg.channels, range: [-1, 1] });
    const images = tensor(nchw.data, nchw.shape);
    say(`run ${runDir.id} (${runDir.dir}): ${loaded.images.length} images, ${cfg.generator.condition.kind === 'class' ? `${cfg.generator.condition.classes.length} classes` : 'text'}, UNet ${(gen.unet.parameterCount() / 1e6).toFixed(2)} M parameters`);

    const sampleConditions = gridConditions(conditions, cfg.generator);
    // made at the first step, so a resumed run's rate and ETA count only the steps it runs
    let progress: Progress | undefined;
    let smooth = NaN;
    const t0 = performance.now();
    let firstStep: number | null = null;
    const result = pretrain({
      generator: gen,
      data: { images, conditions },
      config: cfg.pretrain,
      runDir: runDir.dir,
      resume: Boolean(opts.resume),
      sampleConditions: sampleConditions.conditions,
      sampleColumns: sampleConditions.columns,
      log: say,
      onStep: (s) => {
        if (firstStep === null) {
          firstStep = s.step - 1;
          progress = new Progress({ label: firstStep > 0 ? `train (from step ${firstStep})` : 'train', total: cfg.pretrain.steps - firstStep, silent: quiet });
        }
        smooth = Number.isNaN(smooth) ? s.loss : 0.98 * smooth + 0.02 * s.loss;
        const rate = ((s.step - firstStep) * cfg.pretrain.batchSize) / ((performance.now() - t0) / 1000);
        progress!.set(s.step - firstStep, `step ${s.step} loss ${smooth.toFixed(4)} lr ${s.lr.toExponential(2)} ${rate.toFixed(1)} img/s`);
      },
      onSamples: (step, imgs, columns) => {
        const file = join(runDir.dir, 'samples', `step-${String(step).padStart(7, '0')}.png`);
        writeFileSync(file, encodePng(imageGrid(imgs, columns)));
        say(`samples: ${file}`);
      },
    });
    progress?.finish(`loss ${smooth.toFixed(4)}`);
    images.dispose();
    gen.dispose();
    console.log(JSON.stringify({ run: runDir.id, dir: runDir.dir, step: result.step, resumedFrom: result.resumedFrom, loss: result.lastLoss, checkpoint: result.checkpointDir }));
    return 0;
  },
};

async function freshConfig(opts: Parameters<Command['run']>[0]): Promise<TrainRunConfig> {
  const dataPath = stringOption(opts, 'data', true);
  const size = numberOption(opts, 'size', 32);
  const channels = numberOption(opts, 'channels', 3);
  if (channels !== 1 && channels !== 3) throw new UsageError(`--channels must be 1 or 3, got ${channels}`);
  const condition = stringOption(opts, 'condition') ?? 'class';
  if (condition !== 'class' && condition !== 'text') throw new UsageError(`--condition must be class or text, got '${condition}'`);
  const scheduleKind = stringOption(opts, 'schedule') ?? 'linear';
  if (scheduleKind !== 'linear' && scheduleKind !== 'cosine') throw new UsageError(`--schedule must be linear or cosine, got '${scheduleKind}'`);
  const prediction = choiceOption(opts, 'prediction', PREDICTIONS, 'epsilon');
  const limitOpt = stringOption(opts, 'limit');
  const manifest = loadManifest(dataPath);
  const unet = defaultUNetConfig(size, channels, null);
  if (stringOption(opts, 'base-channels')) unet.baseChannels = numberOption(opts, 'base-channels', unet.baseChannels);
  if (stringOption(opts, 'res-blocks')) unet.numResBlocks = numberOption(opts, 'res-blocks', unet.numResBlocks);
  const mult = stringOption(opts, 'channel-mult');
  if (mult) unet.channelMult = mult.split(',').map((m) => Number(m));
  const conditionCfg: GeneratorConfig['condition'] =
    condition === 'class'
      ? { kind: 'class', classes: manifest.labels, dim: 128, tokensPerClass: 1 }
      : { kind: 'text', vocabulary: [], dim: 128, maxLength: 48, layers: 2, heads: 4 };
  if (condition === 'class' && manifest.labels.length === 0) throw new UsageError(`${manifest.source}: no class labels (use --condition text for reports)`);
  const steps = numberOption(opts, 'steps', DEFAULT_PRETRAIN_CONFIG.steps);
  return {
    data: { path: manifest.source, size, channels, condition, ...(limitOpt ? { limit: numberOption(opts, 'limit', 0) } : {}) },
    generator: { unet, condition: conditionCfg, schedule: { kind: scheduleKind as BetaScheduleKind, numTimesteps: 1000 }, image: { size, channels }, prediction },
    pretrain: {
      ...DEFAULT_PRETRAIN_CONFIG,
      steps,
      batchSize: numberOption(opts, 'batch', DEFAULT_PRETRAIN_CONFIG.batchSize),
      lr: numberOption(opts, 'lr', DEFAULT_PRETRAIN_CONFIG.lr),
      warmupSteps: Math.min(numberOption(opts, 'warmup-steps', DEFAULT_PRETRAIN_CONFIG.warmupSteps), Math.floor(steps / 10)),
      checkpointEvery: numberOption(opts, 'checkpoint-every', DEFAULT_PRETRAIN_CONFIG.checkpointEvery),
      sampleEvery: numberOption(opts, 'sample-every', DEFAULT_PRETRAIN_CONFIG.sampleEvery),
      seed: numberOption(opts, 'seed', 0),
    },
  };
}

/** `limit` entries spread evenly over the list (so every class keeps its share). */
function spread<T>(items: T[], limit: number): T[] {
  if (limit >= items.length) return items;
  return Array.from({ length: limit }, (_, i) => items[Math.floor((i * items.length) / limit)]!);
}

/** A class grid: one row per class (first 8), 4 columns; text: the first 16 distinct reports. */
function gridConditions(conditions: string[], g: GeneratorConfig): { conditions: string[]; columns: number } {
  if (g.condition.kind === 'class') {
    const rows = g.condition.classes.slice(0, 8);
    return { conditions: rows.flatMap((c) => [c, c, c, c]), columns: 4 };
  }
  return { conditions: [...new Set(conditions)].slice(0, 16), columns: 4 };
}
