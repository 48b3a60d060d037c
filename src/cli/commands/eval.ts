// `medloop eval`: evaluates generated images against a real data set in a domain
// classifier's feature space and writes report.html + metrics.json. Samples come
// from folders of PNGs with JSON sidecars ({"condition": …}) or are drawn from a
// generator run. The classifier is trained on the real training split once and
// cached; the held-out real images are the reference.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type Command, UsageError, numberOption, stringOption } from '../command.js';
import { Progress } from '../progress.js';
import { type Tensor, dispose } from '../../engine/index.js';
import { encodePng } from '../../data/png.js';
import { nchwToRasters } from '../../data/nchw.js';
import { type Raster, withChannels } from '../../data/raster.js';
import { fitTo } from '../../data/resize.js';
import { loadGenerator } from '../../diffusion/generator.js';
import { sampleImages } from '../../diffusion/pipeline.js';
import { classifierFeatureExtractor, classifierFeatureHead, rastersToTensor } from '../../eval/feature-extractor.js';
import { defaultClassifierDir, disposeDomainData, domainClassifier, loadDomainData } from '../../eval/domain-classifier.js';
import { type SampleSet, evaluateSampleSets } from '../../eval/evaluate.js';
import { evaluationReportData } from '../../eval/evaluation-report.js';
import { type GuardPoint, hackingGuard } from '../../eval/hacking-guard.js';
import { type Judgement, plausibilityRate } from '../../eval/metrics/plausibility.js';
import { loadSampleFolder } from '../../eval/sample-folder.js';
import { setSideEffects } from '../../eval/side-effects.js';
import { writeReport } from '../../eval/report/write-report.js';
import { resolveRunDir } from '../../workspace/run-dir.js';
import type { RatingStudy } from '../../eval/report/types.js';

export const evalCommand: Command = {
  path: ['eval'],
  summary: 'Evaluate generated images (FID, PRDC, MS-SSIM, utility) against real data and write report.html',
  options: {
    real: { type: 'string', description: 'real data set (image folder, CSV manifest or shared data set folder)' },
    samples: { type: 'string', description: 'folder of generated PNGs with <name>.json sidecars holding "condition" (the candidate)' },
    run: { type: 'string', description: 'generator run or checkpoint folder to sample the candidate from (instead of --samples)' },
    baseline: { type: 'string', description: 'baseline: a folder of generated PNGs, or a generator run/checkpoint folder to sample from' },
    name: { type: 'string', description: 'label of the candidate in the report (default: its folder or run name)' },
    workspace: { type: 'string', description: 'workspace whose runs/<id> --run and --baseline may name by id', default: '.' },
    out: { type: 'string', description: 'output folder for report.html and metrics.json (default: <run>/eval or ./medloop-eval)' },
    classifier: { type: 'string', description: 'feature-extractor checkpoint folder (default: cached under .medloop-cache/, trained on the real training split if missing)' },
    retrain: { type: 'boolean', description: 'train the feature extractor again even when a cached one exists' },
    size: { type: 'string', description: 'evaluation image size', default: '32' },
    channels: { type: 'string', description: '1 (grey) or 3 (RGB)', default: '3' },
    epochs: { type: 'string', description: 'feature-extractor training epochs', default: '8' },
    batch: { type: 'string', description: 'feature-extractor (and utility classifier) batch size', default: '64' },
    seed: { type: 'string', description: 'seed for the split, training, sampling and bootstrap', default: '0' },
    'per-condition': { type: 'string', description: 'images per condition sampled from a run (and most used from a folder)', default: '32' },
    'sample-steps': { type: 'string', description: 'sampler steps when sampling from a run', default: '50' },
    cfg: { type: 'string', description: 'guidance scale when sampling from a run', default: '3' },
    bootstrap: { type: 'string', description: 'bootstrap resamples for the FID interval (0 = none)', default: '200' },
    utility: { type: 'boolean', description: 'also train a classifier on each sample set and test it on real held-out images (TSTR)' },
    ratings: { type: 'string', description: 'JSON: judgements [{plausible, condition}] or {plausibility: {set: judgements}, agreement, goldAccuracy}' },
    guard: { type: 'string', description: 'JSON array or JSONL of {step, reward, evaluator} for the reward-hacking guard' },
    title: { type: 'string', description: 'report title', default: 'medloop evaluation' },
    quiet: { type: 'boolean', description: 'no progress output' },
  },
  async run(opts) {
    const realPath = stringOption(opts, 'real', true);
    const workspace = stringOption(opts, 'workspace') ?? '.';
    const samplesDir = stringOption(opts, 'samples');
    const runOpt = stringOption(opts, 'run');
    const runPath = runOpt === undefined ? undefined : existsSync(runOpt) ? runOpt : resolveRunDir(workspace, runOpt).dir;
    const baselineOpt = stringOption(opts, 'baseline');
    const baselinePath = baselineOpt === undefined ? undefined : existsSync(baselineOpt) ? baselineOpt : resolveRunDir(workspace, baselineOpt).dir;
    if (!samplesDir && !runPath) throw new UsageError('give --samples DIR (generated PNGs with sidecars) or --run R (a generator to sample from)');
    if (samplesDir && runPath) throw new UsageError('give either --samples or --run for the candidate, not both');
    const size = numberOption(opts, 'size', 32);
    const channels = numberOption(opts, 'channels', 3);
    if (channels !== 1 && channels !== 3) throw new UsageError(`--channels must be 1 or 3, got ${channels}`);
    const seed = numberOption(opts, 'seed', 0);
    const perCondition = numberOption(opts, 'per-condition', 32);
    const out = resolve(stringOption(opts, 'out') ?? (runPath ? join(runPath, 'eval') : 'medloop-eval'));
    const quiet = Boolean(opts.quiet);
    const say = (line: string) => {
      if (!quiet) console.error(line);
    };
    if (!existsSync(realPath)) throw new UsageError(`--real: ${realPath} does not exist`);

    // Real data and the domain feature extractor.
    const loadProgress = lazyProgress('load real', quiet);
    const data = await loadDomainData(realPath, { size, channels, seed, onLoad: (d, total) => loadProgress.set(d, total) });
    loadProgress.finish();
    const classNames = data.classNames;
    const classifierDir = stringOption(opts, 'classifier') ?? defaultClassifierDir(realPath, size, seed);
    const epochs = numberOption(opts, 'epochs', 8);
    const batchSize = numberOption(opts, 'batch', 64);
    const trainProgress = lazyProgress('feature extractor', quiet);
    const clf = domainClassifier(data, classifierDir, {
      epochs,
      batchSize,
      seed,
      retrain: Boolean(opts.retrain),
      onProgress: (p) => trainProgress.set(p.step, p.steps, `loss ${p.loss.toFixed(4)}${p.valAccuracy !== undefined ? ` val ${(100 * p.valAccuracy).toFixed(1)}%` : ''}`),
    });
    trainProgress.finish();
    say(`feature extractor ${clf.cached ? 'loaded from' : 'trained and saved to'} ${clf.dir}: held-out accuracy ${(100 * clf.heldOutAccuracy).toFixed(2)}% (${data.heldOut.labels.length} images)`);
    const extractor = classifierFeatureExtractor(clf.net);

    // Sample sets: baseline first, candidate last.
    const sets: (SampleSet & { rasters: Raster[] })[] = [];
    const loadSet = async (path: string, name: string, isRun: boolean) => {
      const rasters: Raster[] = [];
      const conditions: string[] = [];
      if (isRun) {
        const gen = loadGenerator(path);
        try {
          const classes = gen.config.condition.kind === 'class' ? gen.config.condition.classes.filter((c) => classNames.includes(c)) : [];
          if (classes.length === 0) throw new UsageError(`${path}: sampling needs a class-conditional generator whose classes match the real labels (${classNames.join(', ')})`);
          const wanted = classes.flatMap((c) => Array<string>(perCondition).fill(c));
          const progress = new Progress({ label: `sample ${name}`, total: wanted.length, silent: quiet });
          const batch = 32;
          for (let s = 0; s < wanted.length; s += batch) {
            const conds = wanted.slice(s, s + batch);
            const r = sampleImages(gen, { conditions: conds, steps: numberOption(opts, 'sample-steps', 50), cfg: numberOption(opts, 'cfg', 3), seed: seed + s });
            rasters.push(...r.images);
            conditions.push(...conds);
            progress.set(s + conds.length);
          }
          progress.finish();
        } finally {
          gen.dispose();
        }
        saveSamples(join(out, `samples-${name}`), rasters, conditions, { source: resolve(path), seed });
      } else {
        const folder = await loadSampleFolder(path, { classNames, perCondition, channels, size });
        rasters.push(...folder.rasters);
        conditions.push(...folder.conditions);
      }
      // Everything is compared at the evaluation size (MS-SSIM depends on it; the extractor would resize anyway).
      const sized = rasters.map((r) => withChannels(r.width === size && r.height === size ? r : fitTo(r, size), channels as 1 | 3));
      sets.push({ name, images: rastersToTensor(sized, channels), conditions, rasters: sized });
      say(`${name}: ${rasters.length} images, ${new Set(conditions).size} conditions (${path})`);
    };
    try {
      if (baselinePath) await loadSet(baselinePath, 'baseline', isGeneratorPath(baselinePath));
      const candidate = runPath ?? samplesDir!;
      const defaultName = basename(resolve(candidate));
      await loadSet(candidate, stringOption(opts, 'name') ?? (defaultName === 'baseline' ? 'candidate' : defaultName), Boolean(runPath));

      // TSTR classifiers get as many optimiser steps as the real-trained extractor, so the comparison is about data, not training length.
      const utilitySteps = epochs * Math.max(1, Math.floor(data.train.labels.length / Math.min(batchSize, data.train.labels.length)));
      const t0 = performance.now();
      const result = evaluateSampleSets({ images: data.heldOut.images, conditions: data.heldOut.labels.map((l) => classNames[l]!) }, sets, {
        extractor,
        classify: classifierFeatureHead(clf.net),
        classNames,
        seed,
        bootstrap: numberOption(opts, 'bootstrap', 200),
        ...(opts.utility ? { utility: { realTest: { images: data.heldOut.images, conditions: data.heldOut.labels.map((l) => classNames[l]!) }, realTrained: clf.net, train: { steps: utilitySteps, batchSize, seed } } } : {}),
        onStage: (m) => say(`eval: ${m}`),
      });
      const study = readStudy(stringOption(opts, 'ratings'));
      const guardFile = stringOption(opts, 'guard');
      const series = guardFile ? readGuardSeries(guardFile) : undefined;
      const report = evaluationReportData(result, {
        title: stringOption(opts, 'title') ?? 'medloop evaluation',
        subtitle: `${sets.map((s) => s.name).join(' vs ')} against ${basename(resolve(realPath))} (held-out real images)`,
        meta: { data: basename(resolve(realPath)), size: `${size}×${size}`, 'extractor accuracy': `${(100 * clf.heldOutAccuracy).toFixed(1)}%`, seed },
        grids: [...sets.map((s) => ({ name: s.name, rasters: s.rasters, conditions: s.conditions })), realGrid(data.heldOut.images, data.heldOut.labels.map((l) => classNames[l]!), 8)],
        ...(study ? { study } : {}),
        ...(series ? { hacking: { series, result: hackingGuard(series) } } : {}),
        notes: [
          `Feature extractor: CNN classifier (${clf.net.config.widths.join('/')} channels, ${clf.net.featureDim}-d pooled features) trained on ${data.train.labels.length} real training images at ${size}×${size}; held-out accuracy ${(100 * clf.heldOutAccuracy).toFixed(2)}% on ${data.heldOut.labels.length} images (${clf.dir}).`,
        ],
        metrics: { extractor: { dir: clf.dir, heldOutAccuracy: clf.heldOutAccuracy, config: clf.net.config, history: clf.history }, seconds: (performance.now() - t0) / 1000 },
      });
      const written = writeReport(out, report);
      say(`report: ${written.html}`);
      console.log(
        JSON.stringify({
          out,
          report: written.html,
          metrics: written.json,
          extractorAccuracy: clf.heldOutAccuracy,
          noiseFloorFid: result.reference.noiseFloor.fid,
          ...(baselinePath ? { sideEffects: setSideEffects(result.sets[0]!, result.sets.at(-1)!, { noiseFloorFid: result.reference.noiseFloor.fid }) } : {}),
          sets: result.sets.map((s) => ({ name: s.name, count: s.count, fid: s.fid.estimate, fidLo: s.fid.lo, fidHi: s.fid.hi, ...pick(s.prdc), msSsim: s.diversity.mean, ...(s.classAgreement ? { classAgreement: s.classAgreement.rate.estimate } : {}), ...(s.utility ? { tstrAccuracy: s.utility.trainOnSynthetic.accuracy } : {}) })),
        }),
      );
      return 0;
    } finally {
      dispose(sets.map((s) => s.images));
      clf.net.dispose();
      disposeDomainData(data);
    }
  },
};

/** A Progress created on the first report, when the total is known; nothing shown if there is none. */
function lazyProgress(label: string, silent: boolean) {
  let p: Progress | undefined;
  let complete = false;
  return {
    set(done: number, total: number, info = '') {
      p ??= new Progress({ label, total, silent });
      p.set(done, info);
      complete = done >= total;
    },
    finish() {
      if (!complete) p?.finish();
    },
  };
}

function pick(p: { precision: number; recall: number; density: number; coverage: number }) {
  return { precision: p.precision, recall: p.recall, density: p.density, coverage: p.coverage };
}

/** A generator run (<run>/checkpoints/…) or checkpoint folder (state.json), as opposed to a folder of PNGs. */
function isGeneratorPath(path: string): boolean {
  return existsSync(join(path, 'checkpoints')) || existsSync(join(path, 'state.json'));
}

function realGrid(images: Tensor, conditions: string[], per: number): { name: string; rasters: Raster[]; conditions: string[] } {
  const pickIdx: number[] = [];
  const count = new Map<string, number>();
  conditions.forEach((c, i) => {
    const n = count.get(c) ?? 0;
    if (n < per) pickIdx.push(i);
    count.set(c, n + 1);
  });
  const [, c, h, w] = images.shape as [number, number, number, number];
  const all = images.toFloat32Array();
  const plane = c * h * w;
  const data = new Float32Array(pickIdx.length * plane);
  pickIdx.forEach((i, k) => data.set(all.subarray(i * plane, (i + 1) * plane), k * plane));
  return { name: 'real', rasters: nchwToRasters(data, [pickIdx.length, c, h, w], [0, 1]), conditions: pickIdx.map((i) => conditions[i]!) };
}

/** Writes sampled images as <condition>-<n>.png + sidecar JSON, so `--samples` can reuse them. */
function saveSamples(dir: string, rasters: Raster[], conditions: string[], info: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  rasters.forEach((r, i) => {
    const stem = `${conditions[i]!.replace(/[^A-Za-z0-9_-]+/g, '_')}-${String(i).padStart(5, '0')}`;
    writeFileSync(join(dir, `${stem}.png`), encodePng(r));
    writeFileSync(join(dir, `${stem}.json`), JSON.stringify({ condition: conditions[i], index: i, ...info }));
  });
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    // JSON lines.
    return text
      .split('\n')
      .map((l, i) => [l.trim(), i + 1] as const)
      .filter(([l]) => l !== '')
      .map(([l, line]) => {
        try {
          return JSON.parse(l);
        } catch (e) {
          throw new UsageError(`${file}:${line}: not JSON (${(e as Error).message})`);
        }
      });
  }
}

function readStudy(file: string | undefined): RatingStudy | undefined {
  if (!file) return undefined;
  const raw = readJson(file);
  if (Array.isArray(raw)) return { plausibility: { samples: plausibilityRate(raw as Judgement[]) } };
  const o = raw as { plausibility?: Record<string, Judgement[]>; agreement?: Record<string, unknown>; goldAccuracy?: Record<string, number>; note?: string };
  return {
    ...(o.plausibility ? { plausibility: Object.fromEntries(Object.entries(o.plausibility).map(([k, v]) => [k, plausibilityRate(v)])) } : {}),
    ...(o.agreement ? { agreement: o.agreement } : {}),
    ...(o.goldAccuracy ? { goldAccuracy: o.goldAccuracy } : {}),
    ...(o.note ? { note: o.note } : {}),
  };
}

function readGuardSeries(file: string): GuardPoint[] {
  const raw = readJson(file);
  if (!Array.isArray(raw)) throw new UsageError(`${file}: expected a JSON array or JSON lines of {step, reward, evaluator}`);
  return raw.map((p, i) => {
    const o = p as Partial<GuardPoint>;
    if (typeof o.step !== 'number' || typeof o.reward !== 'number' || typeof o.evaluator !== 'number') throw new UsageError(`${file}: entry ${i + 1} needs numeric step, reward and evaluator`);
    return { step: o.step, reward: o.reward, evaluator: o.evaluator };
  });
}
