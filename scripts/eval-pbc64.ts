// Trains the domain feature extractor on pbc64's training split at 32×32 and
// reports its held-out accuracy and the FID noise floor between disjoint real
// halves. Run: node --import tsx scripts/eval-pbc64.ts [--epochs N] [--out DIR]
// (real data, minutes of CPU: a script, not a test).
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { engineInfo, randperm, Generator, tidy, type Tensor } from '../src/engine/index.js';
import { loadManifest } from '../src/data/manifest.js';
import { splitManifest } from '../src/data/split.js';
import { accuracyOf, saveClassifier, trainClassifier } from '../src/models/classifier-train.js';
import { classifierFeatureExtractor } from '../src/eval/feature-extractor.js';
import { loadLabelled } from '../src/eval/real-data.js';
import { fid } from '../src/eval/metrics/fid.js';
import { prdc } from '../src/eval/metrics/prdc.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/pbc64' },
    epochs: { type: 'string', default: '8' },
    size: { type: 'string', default: '32' },
    widths: { type: 'string', default: '32,64,128' },
    convs: { type: 'string', default: '1' },
    lr: { type: 'string', default: '0.003' },
    batch: { type: 'string', default: '64' },
    out: { type: 'string', default: '.medloop-cache/pbc64-classifier' },
  },
});
if (!existsSync(args.data!)) {
  console.error(`skipped: ${args.data} not found`);
  process.exit(0);
}
const size = Number(args.size);
const t0 = performance.now();
const manifest = loadManifest(args.data!);
const split = splitManifest(manifest.entries, { seed: 0 });
const [train, val, test] = [await loadLabelled(manifest, split.train, { size, channels: 3 }), await loadLabelled(manifest, split.val, { size, channels: 3 }), await loadLabelled(manifest, split.test, { size, channels: 3 })];
const loadSeconds = (performance.now() - t0) / 1000;
console.error(`loaded ${train.labels.length}/${val.labels.length}/${test.labels.length} images at ${size}×${size} in ${loadSeconds.toFixed(1)} s (${JSON.stringify(engineInfo())})`);

const t1 = performance.now();
let lastPrint = 0;
const trained = trainClassifier(train.images, train.labels, {
  numClasses: manifest.labels.length,
  classNames: manifest.labels,
  epochs: Number(args.epochs),
  lr: Number(args.lr),
  batchSize: Number(args.batch),
  config: { widths: args.widths!.split(',').map(Number), convsPerStage: Number(args.convs) },
  val: { images: val.images, labels: val.labels },
  onProgress: (p) => {
    const now = performance.now();
    if (p.valAccuracy !== undefined) console.error(`epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(4)} val acc ${(100 * p.valAccuracy).toFixed(2)}% (${((now - t1) / 1000).toFixed(0)} s)`);
    else if (now - lastPrint > 15000) {
      lastPrint = now;
      console.error(`  step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} lr ${p.lr.toExponential(2)} (${((now - t1) / 1000).toFixed(0)} s)`);
    }
  },
});
const trainSeconds = (performance.now() - t1) / 1000;
const testAccuracy = accuracyOf(trained.net, { images: test.images, labels: test.labels });
saveClassifier(args.out!, trained);

// FID noise floor: features of two disjoint random halves of real images.
const extract = classifierFeatureExtractor(trained.net);
const t2 = performance.now();
const feats = { train: extract(train.images), test: extract(test.images) };
const halves = (f: Tensor, seed: number) =>
  tidy(() => {
    const n = f.dim(0);
    const perm = randperm(n, { generator: new Generator(seed) });
    const h = Math.floor(n / 2);
    return [f.indexSelect(0, perm.narrow(0, 0, h)), f.indexSelect(0, perm.narrow(0, h, h))] as const;
  });
const [ta, tb] = halves(feats.train, 1);
const [sa, sb] = halves(feats.test, 2);
const result = {
  data: args.data,
  size,
  epochs: Number(args.epochs),
  widths: args.widths,
  convsPerStage: Number(args.convs),
  parameters: trained.net.parameterCount(),
  load_seconds: +loadSeconds.toFixed(1),
  train_seconds: +trainSeconds.toFixed(1),
  val_accuracy: +trained.history[trained.history.length - 1]!.valAccuracy!.toFixed(4),
  test_accuracy: +testAccuracy.toFixed(4),
  fid_train_halves: +fid(ta, tb).toFixed(3),
  train_half_size: ta.dim(0),
  fid_test_halves: +fid(sa, sb).toFixed(3),
  test_half_size: sa.dim(0),
  fid_test_vs_train: +fid(feats.test, feats.train).toFixed(3),
  prdc_train_halves: prdc(ta, tb),
  feature_seconds: +((performance.now() - t2) / 1000).toFixed(1),
  checkpoint: args.out,
};
console.log(JSON.stringify(result));
