import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { F, noGrad, rand, seedInit, tidy } from '../../src/engine/index.js';
import { ConvBackbone } from '../../src/models/reward-net-backbone.js';
import { DEFAULT_REWARD_NET_CONFIG, PlausibilityRewardNet } from '../../src/models/reward-net.js';
import { createRaster } from '../../src/data/raster.js';
import { seededRandom } from '../../src/data/random.js';
import { loadPlausibilityModel, savePlausibilityModel, trainPlausibilityModel } from '../../src/reward/index.js';
import type { TrainedPlausibilityModel } from '../../src/reward/index.js';
import { TINY_CLASSES } from './tiny.js';

const BB = { inChannels: 3, widths: [8, 8], convsPerStage: 1, groups: 4, filmDim: 0 };

/** The last stage's feature map, by running the stages by hand (the reference the pooled output is checked against). */
function lastMap(bb: ConvBackbone, x: ReturnType<typeof rand>) {
  return tidy(() => {
    let h = x.mul(2).sub(1);
    bb.stages.items.forEach((stage, s) => {
      if (s > 0) h = F.avgPool2d(h, 2, 2);
      for (const unit of stage.items) h = unit.forward(h);
    });
    return h;
  });
}

test('the backbone pools its last map by the mean (default) or by the maximum over positions', () => {
  seedInit(3);
  const mean = new ConvBackbone(BB);
  const max = new ConvBackbone({ ...BB, globalPool: 'max' });
  max.loadStateDict(mean.stateDict());
  noGrad(() => {
    const x = rand([2, 3, 8, 8]);
    const map = lastMap(mean, x);
    const want = { mean: map.mean([2, 3]).toFloat32Array(), max: map.amax([2, 3]).toFloat32Array() };
    const got = { mean: mean.forward(x).toFloat32Array(), max: max.forward(x).toFloat32Array() };
    for (const k of ['mean', 'max'] as const) got[k].forEach((v, i) => assert.ok(Math.abs(v - want[k][i]!) < 1e-6, `${k}[${i}]: ${v} vs ${want[k][i]}`));
    // A bright single pixel moves the max-pooled features far more than the mean-pooled ones: why the reward net takes the max.
    const spot = x.clone();
    tidy(() => void spot.narrow(2, 3, 1).narrow(3, 4, 1).fill_(1));
    const shift = (bb: ConvBackbone) => {
      const a = bb.forward(x).toFloat32Array();
      const b = bb.forward(spot).toFloat32Array();
      return a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0);
    };
    assert.ok(shift(max) > shift(mean), `max ${shift(max)} vs mean ${shift(mean)}`);
    x.dispose();
    spot.dispose();
    map.dispose();
  });
  assert.throws(() => new ConvBackbone({ ...BB, globalPool: 'median' as never }), /unknown globalPool 'median' \(known: mean, max\)/);
});

test("the plausibility net takes max pooling by default; a model file from before the key loads as 'mean' with its scores", () => {
  assert.equal(DEFAULT_REWARD_NET_CONFIG.pooling, 'max');
  seedInit(5);
  const cfg = { inChannels: 3 as const, imageSize: 8, conditions: TINY_CLASSES, criteria: ['size'], widths: [8, 8], groups: 4, embedDim: 8, hidden: 8 };
  const net = new PlausibilityRewardNet({ ...cfg, pooling: 'mean' });
  assert.equal(new PlausibilityRewardNet(cfg).config.pooling, 'max');
  const dir = mkdtempSync(join(tmpdir(), 'medloop-rewardnet-'));
  try {
    const trained = { net, metrics: { finalLoss: 0, steps: 0, seconds: 0 }, data: {}, options: {} } as unknown as TrainedPlausibilityModel;
    const saved = savePlausibilityModel(join(dir, 'plausibility'), trained);
    // Rewrite the stored config as an older version wrote it: no pooling key.
    const statePath = join(saved.dir, 'checkpoint', 'state.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { config: Record<string, unknown> };
    delete state.config.pooling;
    writeFileSync(statePath, JSON.stringify(state));
    const loaded = loadPlausibilityModel(join(dir, 'plausibility'));
    assert.equal(loaded.net.config.pooling, 'mean');
    noGrad(() => {
      const x = rand([3, 3, 8, 8]);
      const idx = net.conditionIndices(TINY_CLASSES);
      net.eval();
      const a = net.forward(x, idx).toFloat32Array();
      const b = loaded.net.forward(x, idx).toFloat32Array();
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6, `logit ${i}: ${v} vs ${b[i]}`));
      x.dispose();
      idx.dispose();
    });
    loaded.net.dispose();
  } finally {
    net.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a warm start keeps the previous model’s pooling (it has no weights to carry it)', () => {
  const r = seededRandom(9);
  const image = () => {
    const x = createRaster(8, 8, 3);
    x.data.forEach((_, i) => (x.data[i] = r()));
    return x;
  };
  const rated = TINY_CLASSES.map((c, i) => ({ id: `r${i}`, image: image(), condition: c, label: i % 2, criteria: {}, raters: 1 }));
  const opts = { imageSize: 8, criteria: [], valFraction: 0, minSteps: 1, maxSteps: 1, net: { widths: [8, 8], groups: 4, embedDim: 8, hidden: 8 } };
  const first = trainPlausibilityModel({ rated, pairs: [], real: [] }, { ...opts, net: { ...opts.net, pooling: 'mean' } });
  const warm = trainPlausibilityModel({ rated, pairs: [], real: [] }, { ...opts, init: first.net });
  const cold = trainPlausibilityModel({ rated, pairs: [], real: [] }, opts);
  assert.deepEqual([first.net.config.pooling, warm.net.config.pooling, cold.net.config.pooling], ['mean', 'mean', 'max']);
  for (const m of [first, warm, cold]) m.net.dispose();
});
