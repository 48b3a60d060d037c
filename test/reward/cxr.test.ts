import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { undisposedTensorCount } from '../../src/engine/index.js';
import { IDENTITY_POSE, poseDistance, poseToSamplingMatrix, warpImages } from '../../src/models/posture-regressor.js';
import {
  consistencyReward,
  diagnosticReward,
  loadReward,
  postureReward,
  rastersToUnitTensor,
  saveDualEncoder,
  saveFindingsClassifier,
  savePostureRegressor,
  toRasters,
  trainDualEncoder,
  trainFindingsClassifier,
  trainPostureRegressor,
} from '../../src/reward/index.js';
import { cxrReport, cxrSet, parseCxrReport, renderCxr } from '../../bench/reward-testbed.js';

const SIZE = 32;
const NET = { widths: [8, 16, 32] };
const dir = mkdtempSync(join(tmpdir(), 'medloop-cxr-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Rotated copies (θ radians) of rasters, through the same warp the regressor trains on. */
function rotate(images: ReturnType<typeof cxrSet>, theta: number) {
  const x = rastersToUnitTensor(
    images.map((i) => i.image),
    SIZE,
    1,
  );
  const w = warpImages(
    x,
    images.map(() => ({ ...IDENTITY_POSE, theta })),
  );
  const out = toRasters(w.mul(2).sub(1));
  x.dispose();
  w.dispose();
  return out;
}

test('pose sampling matrices: identity is [1 0 0; 0 1 0], a pure shift moves content by t', () => {
  assert.deepEqual(
    poseToSamplingMatrix(IDENTITY_POSE).map((v) => Math.round(v * 1e9) / 1e9 + 0),
    [1, 0, 0, 0, 1, 0],
  );
  assert.deepEqual(poseToSamplingMatrix({ ...IDENTITY_POSE, tx: 0.2 }), [1, 0, -0.2, -0, 1, -0]);
  assert.ok(Math.abs(poseDistance({ sx: 1.1, sy: 1, tx: 0, ty: 0, theta: 0 }) - 0.1) < 1e-12);
});

test('posture: rotating an X-ray lowers the reward; the regressor reads rotation', async () => {
  const before = undisposedTensorCount();
  const trained = trainPostureRegressor(
    cxrSet(160, 1, SIZE).map((c) => c.image),
    { imageSize: SIZE, net: NET, steps: 150, batchSize: 32, seed: 1 },
  );
  assert.ok(trained.metrics.mae.thetaDegrees < 10, `θ error ${trained.metrics.mae.thetaDegrees}°`);
  savePostureRegressor(join(dir, 'rewards', 'posture'), trained);
  const r = await loadReward('posture', { workspace: dir });
  const upright = cxrSet(16, 99, SIZE);
  const straight = (await r(
    upright.map((c) => c.image),
    upright.map((c) => c.report),
  )) as number[];
  const tilted = (await r(rotate(upright, 0.3), upright.map((c) => c.report))) as number[];
  assert.ok(mean(tilted) < mean(straight) - 0.1, `upright ${mean(straight)} rotated ${mean(tilted)}`);
  assert.ok(tilted.filter((v, i) => v < straight[i]!).length >= 13);
  trained.net.dispose();
  assert.equal(postureReward.length, 1);
  assert.ok(undisposedTensorCount() - before < 40, 'no large tensor leak');
});

test('diagnostic: a finding stated in the report but absent from the image lowers the reward', async () => {
  const data = cxrSet(240, 2, SIZE);
  const trained = trainFindingsClassifier(
    data.map((d) => ({ image: d.image, findings: d.findings })),
    { imageSize: SIZE, net: NET, epochs: 12, seed: 2 },
  );
  assert.ok(trained.metrics.aurocMacro > 0.8, `findings AUROC ${trained.metrics.aurocMacro}`);
  saveFindingsClassifier(join(dir, 'rewards', 'diagnostic'), trained);
  const r = await loadReward('diagnostic', { workspace: dir, parseFindings: parseCxrReport });
  const none = { cardiomegaly: false, effusion: false, opacity: false };
  const imgs = Array.from({ length: 12 }, (_, i) => renderCxr({ findings: none, seed: 700 + i }, SIZE));
  const truthful = Array.from({ length: 12 }, (_, i) => cxrReport(none, i));
  const overstated = Array.from({ length: 12 }, (_, i) => cxrReport({ ...none, [(['cardiomegaly', 'effusion', 'opacity'] as const)[i % 3]]: true } as typeof none, i));
  const a = (await r(imgs, truthful)) as number[];
  const b = (await r(imgs, overstated)) as number[];
  assert.ok(b.filter((v, i) => v < a[i]!).length >= 11, `truthful ${a} overstated ${b}`);
  trained.net.dispose();
  assert.equal(typeof diagnosticReward, 'function');
});

test('consistency: swapping the report lowers the reward; retrieval beats chance', async () => {
  const data = cxrSet(240, 3, SIZE);
  const trained = trainDualEncoder(
    data.map((d) => ({ image: d.image, report: d.report })),
    { imageSize: SIZE, net: { ...NET, textDim: 32, embedDim: 32 }, epochs: 15, batchSize: 48, seed: 3 },
  );
  const ret = trained.metrics.retrieval!;
  assert.ok(ret.top1 > ret.chance + 0.1, `top-1 ${ret.top1} vs chance ${ret.chance}`);
  saveDualEncoder(join(dir, 'rewards', 'consistency'), trained);
  const r = await loadReward('consistency', { workspace: dir });
  const held = cxrSet(24, 55, SIZE);
  // Swap to the report of the image with the most different findings.
  const flipped = held.map((h, i) => cxrReport({ cardiomegaly: !h.findings.cardiomegaly, effusion: !h.findings.effusion, opacity: !h.findings.opacity }, i));
  const own = (await r(
    held.map((h) => h.image),
    held.map((h) => h.report),
  )) as number[];
  const swapped = (await r(
    held.map((h) => h.image),
    flipped,
  )) as number[];
  assert.ok(swapped.filter((v, i) => v < own[i]!).length >= 20, `own ${mean(own)} swapped ${mean(swapped)}`);
  trained.net.dispose();
  assert.equal(typeof consistencyReward, 'function');
});
