import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, type Tensor, cat, dispose, noGrad, tidy, undisposedTensorCount } from '../../src/engine/index.js';
import type { FeatureExtractor } from '../../src/eval/feature-extractor.js';
import { evaluateSampleSets } from '../../src/eval/evaluate.js';
import { evaluationReportData } from '../../src/eval/evaluation-report.js';
import { discSet, toTensor } from './fixtures.js';

/** Any function of the image batch is an extractor: here 4×4 average-pooled pixels (48-d). */
const pooledPixels: FeatureExtractor = (images: Tensor) => tidy(() => noGrad(() => F.adaptiveAvgPool2d(images, 4).flatten(1)));

/**
 * A colour judge on those features, logits in DISC_CLASSES order [blue, red, green]:
 * B−R, R−G, G−B of the channel means (the white background cancels in each difference).
 */
const colourJudge = (features: Tensor) =>
  tidy(() => {
    const m = features.reshape([features.dim(0), 3, 16]).mean(2);
    const [r, g, b] = [0, 1, 2].map((c) => m.narrow(1, c, 1));
    return cat([b!.sub(r!), r!.sub(g!), g!.sub(b!)], 1);
  });

test('evaluateSampleSets: a set drawn like the reference beats a collapsed one, without leaking tensors', () => {
  const before = undisposedTensorCount();
  const ref = discSet(40, 16, 1);
  const good = discSet(30, 16, 2);
  const collapsedRaster = good.rasters[0]!;
  const reference = { images: toTensor(ref.rasters), conditions: ref.names };
  const sets = [
    { name: 'collapsed', images: toTensor(good.rasters.map(() => collapsedRaster)), conditions: good.names },
    { name: 'good', images: toTensor(good.rasters), conditions: good.names },
  ];
  const r = evaluateSampleSets(reference, sets, { extractor: pooledPixels, classify: colourJudge, classNames: ['blue', 'red', 'green'], bootstrap: 10, minPerCondition: 10 });
  const [collapsed, fine] = r.sets;
  // class agreement: every good disc shows its class; the collapsed set repeats one blue disc
  assert.equal(fine!.classAgreement!.rate.estimate, 1);
  assert.equal(collapsed!.classAgreement!.plausible, 30);
  assert.equal(collapsed!.classAgreement!.total, 90);
  assert.deepEqual(Object.fromEntries(Object.entries(collapsed!.classAgreement!.perCondition).map(([c, v]) => [c, v.rate.estimate])), { blue: 1, green: 0, red: 0 });
  assert.equal(r.featureDim, 48);
  assert.ok(fine!.fid.estimate < collapsed!.fid.estimate);
  assert.ok(fine!.prdc.coverage > collapsed!.prdc.coverage);
  assert.ok(collapsed!.diversity.mean > 0.999, 'a collapsed set has MS-SSIM 1 within its (single-image) conditions');
  assert.equal(r.reference.noiseFloor.sampleSize, 60);
  assert.equal(r.reference.noiseFloor.referenceSize, 60);
  assert.deepEqual(Object.keys(fine!.perCondition), ['blue', 'green', 'red']);
  const report = evaluationReportData(r, { grids: [{ name: 'good', rasters: good.rasters, conditions: good.names }] });
  assert.equal(report.samples!.length, 3);
  assert.equal(report.tables![0]!.columns.length, 3);
  // the cards describe the last set against the first, or the one named
  assert.match(report.headlines![0]!.label, /FID · good/);
  assert.match(report.headlines![0]!.hint!, /^collapsed /);
  const named = evaluationReportData(r, { headlineSet: 'collapsed' });
  assert.match(named.headlines![0]!.label, /FID · collapsed/);
  assert.doesNotMatch(named.headlines![0]!.hint!, /^collapsed /, 'a set is not compared with itself');
  // the side-effects card: every set against the first; a collapse against a good first set loses both
  const held = report.headlines!.find((h) => h.label === 'side effects · good vs collapsed');
  assert.equal(held?.value, 'held');
  assert.equal(held?.tone, 'good');
  const reversed = evaluationReportData({ ...r, sets: [fine!, collapsed!] });
  const lost = reversed.headlines!.filter((h) => h.label.startsWith('side effects'));
  assert.deepEqual(lost.map((h) => [h.label, h.value, h.tone]), [['side effects · collapsed vs good', 'diversity and fidelity lost', 'bad']]);
  assert.match(lost[0]!.hint!, /recall .* → .*MS-SSIM .* → 1\.000/);
  dispose([reference.images, sets.map((s) => s.images)]);
  assert.equal(undisposedTensorCount(), before);
});
