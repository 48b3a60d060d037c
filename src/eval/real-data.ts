// Real labelled images for evaluation: a manifest's entries loaded at the
// evaluation size as an NCHW tensor in [0, 1] with class indices.
import type { Tensor } from '../engine/index.js';
import { loadImages } from '../data/loader.js';
import type { Manifest, ManifestEntry } from '../data/manifest.js';
import { rastersToTensor } from './feature-extractor.js';

export interface LabelledTensor {
  images: Tensor;
  labels: number[];
  /** The entries loaded (bad files skipped), index for index with `labels`. */
  entries: ManifestEntry[];
}

export interface RealLoadOptions {
  size: number;
  channels: 1 | 3;
  /** Class names (index = class); default the manifest's labels. */
  classNames?: string[];
  onProgress?: (done: number, total: number) => void;
}

export class UnlabelledEntryError extends Error {
  override name = 'UnlabelledEntryError';
  constructor(readonly path: string) {
    super(`${path}: image has no label (evaluation needs a class per real image)`);
  }
}

/** Loads entries (skipping unreadable files) as [N, C, size, size] in [0, 1] with class indices. */
export async function loadLabelled(manifest: Manifest, entries: ReadonlyArray<ManifestEntry>, opts: RealLoadOptions): Promise<LabelledTensor> {
  const classNames = opts.classNames ?? manifest.labels;
  const index = new Map(classNames.map((c, i) => [c, i] as const));
  const loaded = await loadImages(manifest, entries, { size: opts.size, channels: opts.channels, onError: 'skip', ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  const labels = loaded.entries.map((e) => {
    const i = e.label === undefined ? undefined : index.get(e.label);
    if (i === undefined) throw new UnlabelledEntryError(e.path);
    return i;
  });
  return { images: rastersToTensor(loaded.images, opts.channels), labels, entries: loaded.entries };
}
