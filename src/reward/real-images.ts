// Real labelled images for the reward models (true-/wrong-condition pairs, classifier
// reward): a manifest's images with a label, a seeded sample of at most `max`, loaded at
// the reward model's size and channel count.
import { loadImages } from '../data/loader.js';
import { loadManifest } from '../data/manifest.js';
import { deriveSeed, seededRandom, shuffled } from '../data/random.js';
import type { RealImage } from './plausibility/dataset.js';

export async function loadRealImages(path: string, opts: { size: number; channels: 1 | 3; max?: number; seed?: number; labels?: ReadonlyArray<string> }): Promise<RealImage[]> {
  const manifest = loadManifest(path);
  let entries = manifest.entries.filter((e) => e.label !== undefined && (!opts.labels || opts.labels.includes(e.label)));
  if (opts.max !== undefined && entries.length > opts.max) entries = shuffled(entries, seededRandom(deriveSeed(opts.seed ?? 0, 'real-sample'))).slice(0, opts.max);
  const loaded = await loadImages(manifest, entries, { size: opts.size, channels: opts.channels, onError: 'skip' });
  return loaded.images.map((image, i) => ({ image, condition: loaded.entries[i]!.label! }));
}
