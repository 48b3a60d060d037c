// Loading a manifest's images as same-sized rasters, ready for `rastersToNCHW`.
// Reading is synchronous: measured on pbc64 (15k 64-px PNGs, page-cached), async
// readFile's per-file overhead halved the throughput, and decoding blocks the
// thread anyway; the loop yields to the event loop every few hundred files so
// progress can render. A bad file either throws (ImageDecodeError naming it) or
// is skipped and reported, so one corrupt image does not sink a 15k-image run.
import { type DecodeOptions, readImageSync } from './decode.js';
import { ImageDecodeError, reasonOf } from './errors.js';
import { type Manifest, type ManifestEntry, entryPath } from './manifest.js';
import { type Raster, withChannels } from './raster.js';
import { type ResizeMethod, fitTo } from './resize.js';

export interface LoadOptions {
  /** Centre-crop to a square and resize to size × size (default: keep each image's size). */
  size?: number;
  /** Convert to 1 (grey, BT.601 luma) or 3 channels (default: as decoded). */
  channels?: 1 | 3;
  /** 'throw' (default): the first bad file throws; 'skip': bad files are left out and listed in `skipped`. */
  onError?: 'throw' | 'skip';
  resize?: ResizeMethod;
  decode?: DecodeOptions;
  /** Called after each file with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface SkippedImage {
  /** Entry path as in the manifest. */
  path: string;
  reason: string;
}

export interface LoadResult {
  images: Raster[];
  /** The entries of `images`, index for index (differs from the input when files were skipped). */
  entries: ManifestEntry[];
  skipped: SkippedImage[];
}

/** Reads, decodes and (optionally) crops/resizes/converts one image file. */
export function loadImage(path: string, options: Pick<LoadOptions, 'size' | 'channels' | 'resize' | 'decode'> = {}): Raster {
  return prepare(readImageSync(path, options.decode), options);
}

function prepare(raster: Raster, options: Pick<LoadOptions, 'size' | 'channels' | 'resize'>): Raster {
  let r = raster;
  // RGB → grey before resizing (a third of the work); grey → RGB after.
  if (options.channels === 1) r = withChannels(r, 1);
  if (options.size !== undefined) r = fitTo(r, options.size, options.resize);
  if (options.channels === 3) r = withChannels(r, 3);
  return r;
}

const YIELD_EVERY = 256;

/**
 * Loads `entries` (paths relative to `manifest.root`) in order. With `size`, each
 * image is centre-cropped to a square and resized, so the batch is uniform.
 */
export async function loadImages(manifest: Pick<Manifest, 'root'>, entries: ReadonlyArray<ManifestEntry>, options: LoadOptions = {}): Promise<LoadResult> {
  const onError = options.onError ?? 'throw';
  const out: LoadResult = { images: [], entries: [], skipped: [] };
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    try {
      out.images.push(loadImage(entryPath(manifest, entry), options));
      out.entries.push(entry);
    } catch (e) {
      if (onError === 'throw') throw e instanceof ImageDecodeError ? e : new ImageDecodeError(entry.path, reasonOf(e), { cause: e });
      out.skipped.push({ path: entry.path, reason: e instanceof ImageDecodeError ? e.reason : reasonOf(e) });
    }
    options.onProgress?.(i + 1, entries.length);
    if ((i + 1) % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}
