import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { undisposedTensorCount, tidy } from '../../src/engine/index.js';
import { accuracyOf, loadClassifier, predictProba, saveClassifier, trainClassifier } from '../../src/models/classifier-train.js';
import { classifierFeatureExtractor } from '../../src/eval/feature-extractor.js';
import { utility } from '../../src/eval/metrics/utility.js';
import { discSet, toTensor } from './fixtures.js';

const SMALL = { widths: [8, 16], convsPerStage: 1, groups: 4, dropout: 0 };

test('the CNN classifier learns separable classes, saves and loads exactly, and yields features', () => {
  const before = undisposedTensorCount();
  const train = discSet(40, 16, 1);
  const test_ = discSet(15, 16, 2);
  const x = toTensor(train.rasters);
  const xt = toTensor(test_.rasters);
  const progress: number[] = [];
  const trained = trainClassifier(x, train.labels, { config: SMALL, epochs: 6, batchSize: 24, lr: 5e-3, seed: 3, classNames: ['blue', 'red', 'green'], onProgress: (p) => progress.push(p.step) });
  assert.equal(progress[progress.length - 1], 6 * Math.floor(120 / 24));
  const acc = accuracyOf(trained.net, { images: xt, labels: test_.labels });
  assert.ok(acc >= 0.9, `held-out accuracy ${acc}`);

  const dir = mkdtempSync(join(tmpdir(), 'medloop-clf-'));
  try {
    saveClassifier(dir, trained);
    const loaded = loadClassifier(dir);
    assert.deepEqual(loaded.classNames, ['blue', 'red', 'green']);
    assert.deepEqual(loaded.net.config, trained.net.config);
    assert.deepEqual(Array.from(predictProba(loaded.net, xt)), Array.from(predictProba(trained.net, xt)));
    loaded.net.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const extract = classifierFeatureExtractor(trained.net, { batchSize: 7 });
  const f = extract(xt);
  assert.deepEqual(f.shape, [45, 16]);
  // A 32×32 copy (nearest ×2) is averaged back to 16×16 exactly: same features.
  const up = tidy(() => xt.repeatInterleave(2, 2).repeatInterleave(2, 3));
  const f2 = extract(up);
  assert.ok(tidy(() => f.sub(f2).abs().amax().item()) < 1e-5);
  for (const t of [f, f2, up, x, xt]) t.dispose();
  trained.net.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('utility: synthetic data with the right labels transfers to real data, scrambled labels do not', () => {
  const real = discSet(30, 16, 4);
  const test_ = discSet(15, 16, 5);
  const synth = discSet(30, 16, 6);
  const [xr, xt, xs] = [toTensor(real.rasters), toTensor(test_.rasters), toTensor(synth.rasters)];
  const train = { config: SMALL, epochs: 6, batchSize: 24, lr: 5e-3, seed: 1 };
  const good = utility({ synthetic: { images: xs, labels: synth.labels }, realTest: { images: xt, labels: test_.labels }, realTrain: { images: xr, labels: real.labels } }, { numClasses: 3, train });
  assert.ok(good.trainOnSynthetic.accuracy >= 0.9, `TSTR ${good.trainOnSynthetic.accuracy}`);
  assert.ok(good.trainOnReal!.accuracy >= 0.9);
  assert.ok(Math.abs(good.gap!.accuracy) < 0.1);
  const scrambled = synth.labels.map((l) => (l + 1) % 3);
  const bad = utility({ synthetic: { images: xs, labels: scrambled }, realTest: { images: xt, labels: test_.labels } }, { numClasses: 3, train });
  assert.ok(bad.trainOnSynthetic.accuracy < 0.2, `scrambled TSTR ${bad.trainOnSynthetic.accuracy}`);
  assert.equal(bad.trainOnReal, undefined);
  for (const t of [xr, xt, xs]) t.dispose();
});

test('classifier training is reproducible for a seed (dropout included)', () => {
  const data = discSet(12, 16, 9);
  const x = toTensor(data.rasters);
  const run = () => {
    const { net } = trainClassifier(x, data.labels, { config: { ...SMALL, dropout: 0.3 }, epochs: 2, batchSize: 12, seed: 5 });
    const p = predictProba(net, x);
    net.dispose();
    return Array.from(p);
  };
  assert.deepEqual(run(), run());
  x.dispose();
});
