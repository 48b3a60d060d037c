// The ablation's starting point: a small report-conditioned generator pretrained on
// the phantom training set in <out>/generator (a pretraining run folder). Its
// checkpoints make the stage resumable: an interrupted run continues where it
// stopped (bit-exact, see diffusion/pretrain.ts) and a finished one is reused.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { listCheckpoints, seedInit, tensor } from '../../engine/index.js';
import { rastersToNCHW } from '../../data/nchw.js';
import { type GeneratorConfig, createGenerator } from '../../diffusion/generator.js';
import { DEFAULT_PRETRAIN_CONFIG, type PretrainConfig, type StepInfo, pretrain } from '../../diffusion/pretrain.js';
import { buildVocabulary } from '../../models/conditions/word-tokenizer.js';
import type { CxrAblationConfig } from './config.js';
import type { CxrSet } from './cxr-data.js';

export function ablationGeneratorConfig(cfg: CxrAblationConfig, reports: readonly string[]): GeneratorConfig {
  const g = cfg.generator;
  return {
    unet: { resolution: cfg.imageSize, inChannels: 1, baseChannels: g.baseChannels, channelMult: [...g.channelMult], numResBlocks: 1, attentionResolutions: [8], heads: 4, groups: 8, dropout: 0, contextDim: g.textDim },
    condition: { kind: 'text', vocabulary: buildVocabulary(reports), dim: g.textDim, maxLength: g.maxLength, layers: g.textLayers, heads: 4 },
    schedule: { kind: 'linear', numTimesteps: 1000 },
    image: { size: cfg.imageSize, channels: 1 },
  };
}

export function ablationPretrainConfig(cfg: CxrAblationConfig): PretrainConfig {
  return { ...DEFAULT_PRETRAIN_CONFIG, ...cfg.pretrain, sampleEvery: 0, keepCheckpoints: 2, seed: cfg.seed };
}

export interface PretrainedGenerator {
  /** The run folder (loadGenerator reads its latest checkpoint, EMA weights). */
  dir: string;
  /** Steps this call trained (0 when a finished run was reused). */
  stepsRun: number;
  resumedFrom: number | null;
}

/** Pretrains into <out>/generator, resuming or reusing what is there. */
export function pretrainedGenerator(out: string, cfg: CxrAblationConfig, train: CxrSet, onStep?: (s: StepInfo) => void): PretrainedGenerator {
  const dir = join(out, 'generator');
  const pcfg = ablationPretrainConfig(cfg);
  const latest = listCheckpoints(join(dir, 'checkpoints'))[0];
  if (latest && latest.step >= pcfg.steps) return { dir, stepsRun: 0, resumedFrom: latest.step };
  mkdirSync(dir, { recursive: true });
  seedInit(cfg.seed);
  const gen = createGenerator(ablationGeneratorConfig(cfg, train.reports));
  const nchw = rastersToNCHW(train.images, { channels: 1, range: [-1, 1] });
  const images = tensor(nchw.data, nchw.shape);
  try {
    const r = pretrain({ generator: gen, data: { images, conditions: train.reports }, config: pcfg, runDir: dir, resume: true, ...(onStep ? { onStep } : {}) });
    return { dir, stepsRun: r.step - (r.resumedFrom ?? 0), resumedFrom: r.resumedFrom };
  } finally {
    images.dispose();
    gen.dispose();
  }
}
