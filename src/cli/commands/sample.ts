// `medloop sample`: draws images from a trained generator run, writing one PNG and
// one JSON sidecar per image (condition, model, run, checkpoint step, seed, sampler
// settings, index: what the feedback app reads) and a grid of them all.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, UsageError, numberOption, stringOption } from '../command.js';
import { setNumThreads } from '../../engine/index.js';
import { encodePng } from '../../data/png.js';
import { type DiffusionGenerator, loadGenerator } from '../../diffusion/generator.js';
import { imageGrid } from '../../diffusion/images.js';
import { sampleImages } from '../../diffusion/pipeline.js';
import { resolveRunDir } from '../../workspace/run-dir.js';

export interface SampleSidecar {
  condition: string | null;
  model: string;
  run: string;
  checkpointStep: number;
  weights: 'ema' | 'live';
  seed: number;
  sampler: { kind: 'ddim' | 'ddpm'; steps: number; eta: number; cfg: number };
  index: number;
  file: string;
}

export const sampleCommand: Command = {
  path: ['sample'],
  summary: 'Sample images from a trained generator run (PNGs + JSON sidecars + grid)',
  options: {
    run: { type: 'string', description: 'run id (in <workspace>/runs) or run folder' },
    workspace: { type: 'string', description: 'workspace folder', default: '.' },
    condition: { type: 'string', description: 'class name or report text (repeatable; default: every class in turn)', multiple: true },
    n: { type: 'string', description: 'number of images', default: '64' },
    steps: { type: 'string', description: 'sampler steps', default: '50' },
    eta: { type: 'string', description: 'DDIM eta (0 = deterministic)', default: '1' },
    cfg: { type: 'string', description: 'classifier-free guidance scale w', default: '3' },
    sampler: { type: 'string', description: 'ddim or ddpm', default: 'ddim' },
    seed: { type: 'string', description: 'noise seed', default: '0' },
    step: { type: 'string', description: 'checkpoint step (default: the latest)' },
    'no-ema': { type: 'boolean', description: 'use the live weights instead of the EMA weights' },
    out: { type: 'string', description: 'output folder (default: <run>/samples/<timestamp>)' },
    batch: { type: 'string', description: 'images per model call', default: '64' },
    threads: { type: 'string', description: 'CPU threads for libtorch' },
  },
  async run(opts) {
    const workspace = stringOption(opts, 'workspace', true);
    const run = resolveRunDir(workspace, stringOption(opts, 'run', true));
    if (stringOption(opts, 'threads')) setNumThreads(numberOption(opts, 'threads', 1));
    const n = numberOption(opts, 'n', 64);
    const steps = numberOption(opts, 'steps', 50);
    const eta = numberOption(opts, 'eta', 1);
    const cfg = numberOption(opts, 'cfg', 3);
    const seed = numberOption(opts, 'seed', 0);
    const kind = stringOption(opts, 'sampler') ?? 'ddim';
    if (kind !== 'ddim' && kind !== 'ddpm') throw new UsageError(`--sampler must be ddim or ddpm, got '${kind}'`);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--n must be a positive integer, got ${n}`);
    if (eta < 0 || eta > 1) throw new UsageError(`--eta must be in [0, 1], got ${eta}`);
    const stepOpt = stringOption(opts, 'step');
    const gen = loadGenerator(run.dir, { ...(opts['no-ema'] ? { ema: false } : {}), ...(stepOpt ? { step: numberOption(opts, 'step', 0) } : {}) });
    try {
      const conditions = expandConditions(gen, (opts.condition as string[] | undefined) ?? [], n);
      const out = resolve(stringOption(opts, 'out') ?? join(run.dir, 'samples', `sample-${new Date().toISOString().replace(/[:.]/g, '-')}`));
      mkdirSync(out, { recursive: true });
      const t0 = performance.now();
      const { images } = sampleImages(gen, { conditions, steps, eta, cfg, seed, sampler: kind, batchSize: numberOption(opts, 'batch', 64) });
      const seconds = (performance.now() - t0) / 1000;
      const step = gen.source.checkpointStep ?? 0;
      images.forEach((img, i) => {
        const file = `${String(i).padStart(4, '0')}.png`;
        writeFileSync(join(out, file), encodePng(img));
        const sidecar: SampleSidecar = {
          condition: conditions[i]!,
          model: `${run.id}@step-${step}${gen.source.weights === 'ema' ? '-ema' : ''}`,
          run: run.id,
          checkpointStep: step,
          weights: gen.source.weights ?? 'live',
          seed,
          sampler: { kind, steps, eta, cfg },
          index: i,
          file,
        };
        writeFileSync(join(out, `${String(i).padStart(4, '0')}.json`), JSON.stringify(sidecar, null, 1));
      });
      const columns = gridColumns(conditions);
      writeFileSync(join(out, 'grid.png'), encodePng(imageGrid(images, columns)));
      console.log(JSON.stringify({ out, images: images.length, grid: join(out, 'grid.png'), seconds: Number(seconds.toFixed(2)) }));
      return 0;
    } finally {
      gen.dispose();
    }
  },
};

/**
 * The condition of each of `n` images: the given ones in turn, or for a class model
 * with none given, every class with ⌈n / classes⌉ images in a row each (a grid with
 * one row per class). Unknown names fail listing the model's classes.
 */
export function expandConditions(gen: DiffusionGenerator, given: string[], n: number): string[] {
  for (const c of given) gen.validateCondition(c);
  if (given.length > 0) return Array.from({ length: n }, (_, i) => given[Math.floor((i * given.length) / n)]!);
  const classes = gen.encoder.choices();
  if (!classes) throw new UsageError('this is a text-conditioned model: give --condition "<report text>"');
  const per = Math.ceil(n / classes.length);
  return Array.from({ length: n }, (_, i) => classes[Math.min(classes.length - 1, Math.floor(i / per))]!);
}

/** Columns so each run of equal conditions fills a row when it can. */
function gridColumns(conditions: string[]): number {
  let run = 1;
  while (run < conditions.length && conditions[run] === conditions[0]) run++;
  return Math.min(Math.max(run, 1), 16);
}
