// Demo stage: pretrain the class-conditional generator (resumable from its checkpoints).
import { join } from 'node:path';
import { Progress } from '../../cli/progress.js';
import { rastersToNCHW } from '../../data/nchw.js';
import { seedInit, tensor } from '../../engine/index.js';
import { type GeneratorConfig, createGenerator } from '../../diffusion/generator.js';
import { DEFAULT_PRETRAIN_CONFIG, type PretrainConfig, pretrain } from '../../diffusion/pretrain.js';
import { defaultUNetConfig } from '../../models/unet.js';
import { createRunDir } from '../run-dir.js';
import type { DemoContext, DemoData } from './context.js';
import { stageRun } from './stage-run.js';

export interface PretrainStageResult {
  runId: string;
  runDir: string;
  steps: number;
  loss: number;
  grid: string;
}

export function generatorConfigFor(ctx: DemoContext, data: DemoData): GeneratorConfig {
  const unet = defaultUNetConfig(data.size, data.channels, null);
  unet.baseChannels = ctx.config.generator.baseWidth;
  unet.channelMult = data.size >= 64 ? [1, 2, 2, 2] : [1, 2, 2];
  return {
    unet,
    condition: { kind: 'class', classes: data.classes, dim: 64, tokensPerClass: 1 },
    schedule: { kind: ctx.config.generator.schedule, numTimesteps: 1000 },
    image: { size: data.size, channels: data.channels },
    prediction: ctx.config.generator.prediction,
  };
}

export function runPretrainStage(ctx: DemoContext, data: DemoData): PretrainStageResult {
  const g = ctx.config.generator;
  const pretrainConfig: PretrainConfig = {
    ...DEFAULT_PRETRAIN_CONFIG,
    steps: g.steps,
    batchSize: g.batch,
    lr: g.lr,
    warmupSteps: Math.min(100, Math.floor(g.steps / 10)),
    emaDecay: g.emaDecay,
    checkpointEvery: g.checkpointEvery,
    sampleEvery: 0,
    seed: ctx.config.seed,
  };
  const genConfig = generatorConfigFor(ctx, data);
  // A killed demo left its run id behind: resume that run from its last checkpoint.
  const { run, resume } = stageRun(ctx, 'pretrain', () => {
    const created = createRunDir(ctx.ws.dir, 'gen', { data: { path: data.path, size: data.size, channels: data.channels, condition: 'class' }, generator: genConfig, pretrain: pretrainConfig });
    ctx.ws.runs.register({ id: created.id, kind: 'pretrain', config: { generator: genConfig, pretrain: pretrainConfig }, data: data.path, dir: created.dir });
    return created;
  });
  seedInit(ctx.config.seed);
  const gen = createGenerator(genConfig);
  const nchw = rastersToNCHW(data.images, { channels: data.channels, range: [-1, 1] });
  const images = tensor(nchw.data, nchw.shape);
  const progress = new Progress({ label: 'pretrain', total: g.steps, silent: ctx.silent, resumable: resume });
  let smooth = NaN;
  const result = pretrain({
    generator: gen,
    data: { images, conditions: data.conditions },
    config: pretrainConfig,
    runDir: run.dir,
    resume,
    onStep: (s) => {
      smooth = Number.isNaN(smooth) ? s.loss : 0.95 * smooth + 0.05 * s.loss;
      progress.set(s.step, `loss ${smooth.toFixed(4)}`);
    },
  });
  progress.finish(`loss ${smooth.toFixed(4)}`);
  images.dispose();
  gen.dispose();
  ctx.ws.runs.finish(run.id, 'finished', { steps: result.step, loss: result.lastLoss });
  return { runId: run.id, runDir: run.dir, steps: result.step, loss: result.lastLoss, grid: gridPath(run.dir) };
}

function gridPath(runDir: string): string {
  return join(runDir, 'samples', 'final-grid.png');
}
