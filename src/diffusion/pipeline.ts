// Sampling images from a generator (the diffusers "pipeline"): encode conditions,
// draw seeded noise, run DDIM (or DDPM) with classifier-free guidance, return
// rasters and, on request, the trajectory with per-step log-probabilities.
import { Generator, type Tensor, cat, dispose, noGrad, tidy } from '../engine/index.js';
import type { DiffusionGenerator } from './generator.js';
import { type ImageRaster, tensorToRasters } from './images.js';
import { ddimSample } from './samplers/ddim.js';
import { ddpmSample } from './samplers/ddpm.js';

export interface SampleImagesOptions {
  /** One condition per image (class names or report texts; null = unconditional). */
  conditions: ReadonlyArray<string | null>;
  /** Sampler steps (default 50). */
  steps?: number;
  /** DDIM η (default 1). */
  eta?: number;
  /** Guidance scale w (default 3; 1 = no guidance). */
  cfg?: number;
  seed?: number;
  /** Or an explicit noise generator (overrides seed). */
  generator?: Generator;
  sampler?: 'ddim' | 'ddpm';
  /** Images per model call (default 64). */
  batchSize?: number;
  /** Return latents, timesteps and per-step log-probs (DDIM only). */
  trajectory?: boolean;
}

export interface SampleTrajectory {
  timesteps: number[];
  prevTimesteps: number[];
  /** S + 1 latents [N, C, H, W], x_T first. */
  latents: Tensor[];
  /** [N, S] per-step log-probs (η > 0). */
  logProbs?: Tensor;
}

export interface SampleImagesResult {
  images: ImageRaster[];
  /** Final samples [N, C, H, W] in [−1, 1]: only when `trajectory` is set (the caller disposes). */
  samples?: Tensor;
  trajectory?: SampleTrajectory;
}

export function sampleImages(gen: DiffusionGenerator, opts: SampleImagesOptions): SampleImagesResult {
  for (const c of opts.conditions) if (c !== null && c !== '') gen.validateCondition(c);
  const generator = opts.generator ?? new Generator(opts.seed ?? 0);
  const { size, channels } = gen.config.image;
  const batch = opts.batchSize ?? 64;
  const cfg = opts.cfg ?? 3;
  const images: ImageRaster[] = [];
  const allLatents: Tensor[][] = [];
  const allLogProbs: Tensor[] = [];
  const allSamples: Tensor[] = [];
  let timesteps: number[] = [];
  let prevTimesteps: number[] = [];
  const wasTraining = gen.training;
  gen.eval();
  try {
    for (let start = 0; start < opts.conditions.length; start += batch) {
      const conds = opts.conditions.slice(start, start + batch);
      noGrad(() =>
        tidy(() => {
          const guidance = { cond: gen.encode(conds), uncond: cfg === 1 ? undefined : gen.encode(conds.map(() => null)), scale: cfg };
          const shape = [conds.length, channels, size, size];
          if ((opts.sampler ?? 'ddim') === 'ddpm') {
            const x = ddpmSample(gen, gen.schedule, { steps: opts.steps ?? 50, guidance, generator, shape });
            images.push(...tensorToRasters(x));
            return;
          }
          const r = ddimSample(gen, gen.schedule, { steps: opts.steps ?? 50, eta: opts.eta ?? 1, guidance, generator, shape, trajectory: opts.trajectory ?? false });
          images.push(...tensorToRasters(r.sample));
          timesteps = r.timesteps;
          prevTimesteps = r.prevTimesteps;
          if (opts.trajectory) {
            allLatents.push(r.latents!);
            allSamples.push(r.sample);
            if (r.logProbs) allLogProbs.push(r.logProbs);
            return { keep: [r.latents, r.sample, r.logProbs] };
          }
          return undefined;
        }),
      );
    }
  } finally {
    gen.train(wasTraining);
  }
  if (!opts.trajectory) return { images };
  const latents = allLatents.length === 1 ? allLatents[0]! : allLatents[0]!.map((_, i) => catBatch(allLatents.map((l) => l[i]!)));
  const logProbs = allLogProbs.length === 0 ? undefined : allLogProbs.length === 1 ? allLogProbs[0]! : catBatch(allLogProbs);
  const samples = allSamples.length === 1 ? allSamples[0]! : catBatch(allSamples);
  if (allLatents.length > 1) dispose([allLatents, allLogProbs, allSamples]);
  return { images, samples, trajectory: { timesteps, prevTimesteps, latents, ...(logProbs ? { logProbs } : {}) } };
}

function catBatch(ts: Tensor[]): Tensor {
  return cat(ts, 0);
}
