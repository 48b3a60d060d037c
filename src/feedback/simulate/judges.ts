// Judges: what a simulated rater "sees" in an image. A judge is a plain function
// (image, intended condition) → verdict, kept in a registry by name so the CLI can pick
// one (`--judge`) and other modules (e.g. phantom oracles in data/phantoms) can
// register theirs without this module depending on them.
import type { Raster } from '../../data/raster.js';
import { makeOracleJudge } from '../../data/phantoms/index.js';
import { InvalidInputError } from '../errors.js';

export interface Verdict {
  plausible: boolean;
  /** Checklist criteria (ids or labels) that fail; mapped onto the study's checklist by the simulator. */
  failedCriteria: string[];
}

export type Judge = (image: Raster, condition: string) => Verdict;

interface Entry {
  judge: Judge;
  description: string;
}

const registry = new Map<string, Entry>();

export function registerJudge(name: string, judge: Judge, description = ''): void {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new InvalidInputError(`judge name '${name}' must be lower-case letters, digits, . _ -`);
  registry.set(name, { judge, description });
}

export function getJudge(name: string): Judge {
  const e = registry.get(name);
  if (!e) throw new InvalidInputError(`unknown judge '${name}' (known: ${[...registry.keys()].sort().join(', ')})`);
  return e.judge;
}

export function listJudges(): Array<{ name: string; description: string }> {
  return [...registry.entries()].map(([name, e]) => ({ name, description: e.description })).sort((a, b) => a.name.localeCompare(b.name));
}

export function meanIntensity(image: Raster): number {
  let s = 0;
  for (let i = 0; i < image.data.length; i++) s += image.data[i]!;
  return image.data.length ? s / image.data.length : 0;
}

/**
 * The default, deterministic judge for tests and demos without an oracle: an image is
 * plausible when its mean intensity lies in [0.25, 0.75]; too dark fails the chromatin
 * pattern, too bright the cytoplasm colour.
 */
export const meanIntensityJudge: Judge = (image) => {
  const m = meanIntensity(image);
  if (m < 0.25) return { plausible: false, failedCriteria: ['chromatin_pattern'] };
  if (m > 0.75) return { plausible: false, failedCriteria: ['cytoplasm_colour'] };
  return { plausible: true, failedCriteria: [] };
};

export const DEFAULT_JUDGE = 'mean-intensity';

registerJudge(DEFAULT_JUDGE, meanIntensityJudge, 'plausible iff mean intensity in [0.25, 0.75] (deterministic test judge)');
registerJudge('always-plausible', () => ({ plausible: true, failedCriteria: [] }), 'says plausible to everything');
registerJudge('always-implausible', () => ({ plausible: false, failedCriteria: [] }), 'says implausible to everything');
registerJudge('phantom-oracle', makeOracleJudge('auto'), 'the phantom oracle: measures the clinical criteria of a phantom cell or chest X-ray from its pixels');
