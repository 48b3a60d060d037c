// Demo helper: sample a generator per condition and write PNGs with JSON sidecars
// (what studies read) plus a grid with one row per condition.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '../../data/png.js';
import type { Raster } from '../../data/raster.js';
import type { DiffusionGenerator } from '../../diffusion/generator.js';
import { imageGrid } from '../../diffusion/images.js';
import { sampleImages } from '../../diffusion/pipeline.js';

export interface SampleSetSpec {
  classes: string[];
  perCondition: number;
  steps: number;
  eta: number;
  cfg: number;
  seed: number;
}

export interface SampledSet {
  images: Raster[];
  conditions: string[];
}

/** Samples `perCondition` images of every class, grouped by class. */
export function sampleSet(gen: DiffusionGenerator, spec: SampleSetSpec): SampledSet {
  const conditions = spec.classes.flatMap((c) => Array.from({ length: spec.perCondition }, () => c));
  const { images } = sampleImages(gen, { conditions, steps: spec.steps, eta: spec.eta, cfg: spec.cfg, seed: spec.seed, batchSize: 64 });
  return { images, conditions };
}

/**
 * Writes `<dir>/<i>.png` + `<i>.json` (condition and provenance) and a grid, by default
 * `<dir>-grid.png` beside the folder (not in it: a study reads every PNG inside).
 */
export function writeSampleFolder(dir: string, set: SampledSet, provenance: Record<string, unknown>, columns: number, grid = `${dir}-grid.png`): string {
  mkdirSync(dir, { recursive: true });
  set.images.forEach((img, i) => {
    const name = String(i).padStart(5, '0');
    writeFileSync(join(dir, `${name}.png`), encodePng(img));
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ condition: set.conditions[i], index: i, ...provenance }));
  });
  writeFileSync(grid, encodePng(imageGrid(set.images.slice(0, columns * Math.ceil(set.images.length / columns)), columns)));
  return grid;
}

/** A grid with one row per class, `columns` images each, from a set grouped by class. */
export function classGrid(set: SampledSet, classes: string[], columns: number): Raster {
  const rows = classes.flatMap((c) => set.images.filter((_, i) => set.conditions[i] === c).slice(0, columns));
  return imageGrid(rows, columns);
}
