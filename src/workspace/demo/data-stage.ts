// Demo data: procedural phantom cells (rendered once into the workspace, judged by
// their exact oracle) or a real labelled image set (judged by a separate classifier
// trained on it, which the reward model never sees).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Progress } from '../../cli/progress.js';
import { loadImages } from '../../data/loader.js';
import { loadManifest } from '../../data/manifest.js';
import type { Raster } from '../../data/raster.js';
import { tidy } from '../../engine/index.js';
import { defaultClassifierDir, disposeDomainData, domainClassifier, loadDomainData } from '../../eval/domain-classifier.js';
import { rastersToTensor } from '../../eval/feature-extractor.js';
import { predictProba } from '../../models/classifier-train.js';
import { phantomCellJudge, renderPhantomCells } from './phantom-source.js';
import type { DemoContext, DemoData, TruthJudge } from './context.js';

export interface DataSource {
  path: string;
  kind: 'phantom-cells' | 'real';
}

const PHANTOM = 'phantom:cells';

/** Renders the phantom set (once) or checks the real data path. */
export function prepareDataSource(ctx: DemoContext): DataSource {
  const d = ctx.config.data;
  if (d.source === PHANTOM) {
    const dir = join(ctx.ws.dir, 'data', `phantom-cells-${d.size}`);
    renderPhantomCells(dir, { count: d.phantomCount, size: d.size, seed: ctx.config.seed, silent: ctx.silent, classes: d.classes });
    return { path: dir, kind: 'phantom-cells' };
  }
  if (!existsSync(d.source)) throw new Error(`data.source '${d.source}' does not exist (use ${PHANTOM}, an image folder or a CSV)`);
  return { path: d.source, kind: 'real' };
}

export async function loadDemoData(ctx: DemoContext, source: DataSource): Promise<{ data: DemoData; judge: TruthJudge }> {
  const size = ctx.config.data.size;
  const manifest = loadManifest(source.path);
  const wanted = ctx.config.data.classes;
  const unknown = wanted.filter((c) => !manifest.labels.includes(c));
  if (unknown.length) throw new Error(`data.classes: ${unknown.join(', ')} not in ${source.path} (classes: ${manifest.labels.join(', ')})`);
  const classes = wanted.length ? manifest.labels.filter((l) => wanted.includes(l)) : manifest.labels;
  const entries = manifest.entries.filter((e) => e.label !== undefined && classes.includes(e.label));
  if (classes.length < 2) throw new Error(`${source.path}: the demo needs at least two classes (found ${classes.length})`);
  const limit = ctx.quick ? 1200 : 4000;
  const picked = entries.length > limit ? Array.from({ length: limit }, (_, i) => entries[Math.floor((i * entries.length) / limit)]!) : entries;
  const channels = source.kind === 'phantom-cells' ? 3 : guessChannels(manifest.kind);
  const progress = new Progress({ label: 'load', total: picked.length, silent: ctx.silent });
  const loaded = await loadImages(manifest, picked, { size, channels, onError: 'skip', onProgress: (d) => progress.set(d) });
  progress.finish();
  if (loaded.skipped.length) ctx.log(`data: skipped ${loaded.skipped.length} unreadable images (first: ${loaded.skipped[0]!.path}: ${loaded.skipped[0]!.reason})`);
  const data: DemoData = {
    path: source.path,
    classes,
    images: loaded.images,
    conditions: loaded.entries.map((e) => e.label!),
    channels,
    size,
    judgeName: source.kind === 'phantom-cells' ? 'phantom-oracle' : 'real-classifier',
  };
  const judge = source.kind === 'phantom-cells' ? phantomCellJudge() : await classifierJudge(ctx, source.path, size, channels);
  return { data, judge };
}

function guessChannels(kind: string): 1 | 3 {
  return kind === 'covid-cxr64' || kind === 'nih-cxr64' ? 1 : 3;
}

/**
 * On real data the simulated expert is a classifier trained on a different split
 * seed than the evaluation's feature extractor: a sample is plausible when that
 * classifier gives its intended class at least probability ½.
 */
async function classifierJudge(ctx: DemoContext, path: string, size: number, channels: 1 | 3): Promise<TruthJudge> {
  const seed = ctx.config.seed + 1000;
  const domain = await loadDomainData(path, { size, channels, seed });
  const trained = domainClassifier(domain, defaultClassifierDir(path, size, seed, ctx.ws.dir).replace('eval-classifier', 'judge-classifier'), { epochs: ctx.quick ? 3 : 8, seed });
  const classNames = domain.classNames;
  ctx.log(`data: judge classifier held-out accuracy ${(trained.heldOutAccuracy * 100).toFixed(1)}%`);
  disposeDomainData(domain);
  return (image: Raster, condition: string) => {
    const k = classNames.indexOf(condition);
    const p = tidy(() => predictProba(trained.net, rastersToTensor([image], channels)));
    // A classifier cannot say which clinical criterion failed: only the verdict.
    return { plausible: k >= 0 && p[k]! >= 0.5, failedCriteria: [] };
  };
}
