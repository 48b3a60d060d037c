// The domain feature extractor for a real data set: a CnnClassifier trained on
// the data set's training split (seeded stratified split), cached on disk so
// repeated evaluations reuse it. Evaluation then uses the held-out images (val +
// test) as the real reference, which the classifier never trained on.
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { dispose } from '../engine/index.js';
import { type Manifest, loadManifest } from '../data/manifest.js';
import { splitManifest } from '../data/split.js';
import { type ClassifierProgress, type TrainClassifierOptions, type TrainedClassifier, accuracyOf, loadClassifier, saveClassifier, trainClassifier } from '../models/classifier-train.js';
import { type LabelledTensor, loadLabelled } from './real-data.js';

export interface DomainDataOptions {
  size: number;
  channels: 1 | 3;
  /** Split seed (default 0; 80/10/10 stratified, patients kept together). */
  seed?: number;
  onLoad?: (done: number, total: number) => void;
}

export interface DomainData {
  manifest: Manifest;
  classNames: string[];
  train: LabelledTensor;
  /** val + test: the held-out reference. */
  heldOut: LabelledTensor;
}

/** Loads a labelled real data set split into training and held-out images. */
export async function loadDomainData(realPath: string, opts: DomainDataOptions): Promise<DomainData> {
  const manifest = loadManifest(realPath);
  const labelled = manifest.entries.filter((e) => e.label !== undefined);
  const split = splitManifest(labelled, { seed: opts.seed ?? 0 });
  const heldOutEntries = [...split.val, ...split.test];
  const total = split.train.length + heldOutEntries.length;
  const common = { size: opts.size, channels: opts.channels, classNames: manifest.labels };
  const train = await loadLabelled(manifest, split.train, { ...common, ...(opts.onLoad ? { onProgress: (d: number) => opts.onLoad!(d, total) } : {}) });
  const heldOut = await loadLabelled(manifest, heldOutEntries, { ...common, ...(opts.onLoad ? { onProgress: (d: number) => opts.onLoad!(split.train.length + d, total) } : {}) });
  return { manifest, classNames: manifest.labels, train, heldOut };
}

export function disposeDomainData(d: DomainData): void {
  dispose([d.train.images, d.heldOut.images]);
}

/** Default cache folder for a data set's classifier: <root>/.medloop-cache/eval-classifier-<name>-<size>px-s<seed>. */
export function defaultClassifierDir(realPath: string, size: number, seed: number, root = '.'): string {
  return join(resolve(root), '.medloop-cache', `eval-classifier-${basename(resolve(realPath))}-${size}px-s${seed}`);
}

export interface DomainClassifier extends TrainedClassifier {
  /** Top-1 accuracy on the held-out images. */
  heldOutAccuracy: number;
  /** True when it was read from `dir` rather than trained now. */
  cached: boolean;
  dir: string;
}

export class ClassifierMismatchError extends Error {
  override name = 'ClassifierMismatchError';
  constructor(
    readonly dir: string,
    reason: string,
  ) {
    super(`${dir}: cached classifier ${reason} (retrain it, or point at another folder)`);
  }
}

/** Loads the classifier from `dir` when it exists, else trains it on `data.train` and saves it there. */
export function domainClassifier(
  data: DomainData,
  dir: string,
  opts: Omit<TrainClassifierOptions, 'numClasses' | 'classNames' | 'val'> & { retrain?: boolean; onProgress?: (p: ClassifierProgress) => void } = {},
): DomainClassifier {
  const { retrain, ...train } = opts;
  let trained: TrainedClassifier;
  let cached = false;
  if (!retrain && existsSync(join(dir, 'state.json'))) {
    trained = loadClassifier(dir);
    cached = true;
    const cfg = trained.net.config;
    const names = trained.classNames ?? [];
    if (cfg.imageSize !== data.train.images.dim(2) || cfg.inChannels !== data.train.images.dim(1) || names.join('\u0000') !== data.classNames.join('\u0000')) {
      trained.net.dispose();
      throw new ClassifierMismatchError(dir, `was trained at ${cfg.imageSize} px, ${cfg.inChannels} channels on classes [${names.join(', ')}]; this evaluation needs ${data.train.images.dim(2)} px, ${data.train.images.dim(1)} channels, classes [${data.classNames.join(', ')}]`);
    }
  } else {
    trained = trainClassifier(data.train.images, data.train.labels, { ...train, numClasses: data.classNames.length, classNames: data.classNames });
    saveClassifier(dir, trained);
  }
  return { ...trained, heldOutAccuracy: accuracyOf(trained.net, data.heldOut), cached, dir };
}
