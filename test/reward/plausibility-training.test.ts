// Training-loop behaviour of the plausibility reward model: early stopping keeps the best
// held-out weights, the step budget follows the data, warm starts and out-of-bag members.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../src/data/random.js';
import { seedInit } from '../../src/engine/index.js';
import { PlausibilityRewardNet } from '../../src/models/reward-net.js';
import type { RatedImage } from '../../src/reward/index.js';
import { bootstrap, predictPlausibility, rastersToUnitTensor, trainPlausibilityEnsemble, trainPlausibilityModel } from '../../src/reward/plausibility/train.js';
import { CELL_CRITERIA, cellPool, rate } from '../../bench/reward-testbed.js';

const SIZE = 16;
const NET = { widths: [8, 16] };
const ratedCells = (n: number, seed: number): RatedImage[] =>
  cellPool(n, seed, { size: SIZE }).map((it) => {
    const v = rate(it, { name: 'r1', errorRate: 0.05 }, 3);
    return { id: it.id, image: it.image, condition: it.condition, label: v.plausible ? 1 : 0, criteria: Object.fromEntries(v.failedCriteria.map((c) => [c, 1])), raters: 1 };
  });
const probe = cellPool(24, 99, { size: SIZE });
const probeScores = (net: PlausibilityRewardNet) => {
  const x = rastersToUnitTensor(
    probe.map((p) => p.image),
    SIZE,
    3,
  );
  const p = Array.from(
    predictPlausibility(
      net,
      x,
      probe.map((c) => c.condition),
    ),
  );
  x.dispose();
  return p;
};

test('early stopping restores the weights of the best held-out score and stops after the patience runs out', () => {
  const seen: Array<{ step: number; loss: number; scores: number[] }> = [];
  // A high learning rate over many steps: the held-out loss bottoms out and climbs again.
  const m = trainPlausibilityModel(
    { rated: ratedCells(120, 3), pairs: [], real: [] },
    {
      criteria: [...CELL_CRITERIA],
      imageSize: SIZE,
      net: NET,
      lr: 1e-2,
      minSteps: 400,
      maxSteps: 400,
      earlyStopping: { every: 10, patience: 4 },
      seed: 2,
      onValidate: ({ step, loss, net }) => seen.push({ step, loss, scores: probeScores(net) }),
    },
  );
  assert.ok(seen.length >= 2, 'scored more than once');
  const best = seen.reduce((a, b) => (b.loss < a.loss ? b : a));
  assert.equal(m.metrics.bestStep, best.step);
  assert.equal(m.metrics.bestValScore, best.loss);
  assert.ok(seen.every((s, i) => s.step === 10 * (i + 1)), 'scored every 10 steps');
  if (m.metrics.steps < 400) assert.equal(m.metrics.steps, best.step + 40, 'stopped after 4 scores without improvement');
  const last = seen[seen.length - 1]!;
  assert.notEqual(last.step, best.step, 'the run went past its best point (else the test proves nothing)');
  assert.notDeepEqual(last.scores, best.scores);
  const now = probeScores(m.net);
  now.forEach((p, i) => assert.ok(Math.abs(p - best.scores[i]!) < 1e-6, `probe ${i}: ${p} vs best ${best.scores[i]}`));
  m.net.dispose();
});

test('the step budget scales with the training data (epochs), within the floor and cap', () => {
  const steps = (n: number, o: { minSteps?: number; maxSteps?: number } = {}) => {
    const m = trainPlausibilityModel({ rated: ratedCells(n, 5), pairs: [], real: [] }, { imageSize: SIZE, net: NET, epochs: 4, batchSize: 32, minSteps: 0, ...o, seed: 1 });
    m.net.dispose();
    return m.metrics.steps;
  };
  // 80 % of n trains, 32 a batch, 4 passes.
  assert.equal(steps(100), Math.ceil((4 * 80) / 32));
  assert.equal(steps(400), Math.ceil((4 * 320) / 32));
  assert.equal(steps(100, { minSteps: 30 }), 30);
  assert.equal(steps(400, { maxSteps: 20 }), 20);
});

test('a warm start begins from the given weights', () => {
  seedInit(7);
  const rated = ratedCells(40, 8);
  const prev = trainPlausibilityModel({ rated, pairs: [], real: [] }, { criteria: [...CELL_CRITERIA], imageSize: SIZE, net: NET, minSteps: 30, maxSteps: 30, earlyStopping: false, seed: 3 }).net;
  // lr 0: the optimiser moves nothing, so the result is the initial weights.
  const warm = trainPlausibilityModel({ rated, pairs: [], real: [] }, { criteria: [...CELL_CRITERIA], imageSize: SIZE, net: NET, lr: 0, minSteps: 2, maxSteps: 2, earlyStopping: false, init: prev, seed: 4 }).net;
  const cold = trainPlausibilityModel({ rated, pairs: [], real: [] }, { criteria: [...CELL_CRITERIA], imageSize: SIZE, net: NET, lr: 0, minSteps: 2, maxSteps: 2, earlyStopping: false, seed: 4 }).net;
  const [p, w, c] = [probeScores(prev), probeScores(warm), probeScores(cold)];
  w.forEach((v, i) => assert.ok(Math.abs(v - p[i]!) < 1e-6));
  assert.ok(c.some((v, i) => Math.abs(v - p[i]!) > 1e-4), 'a cold start differs');
  for (const n of [prev, warm, cold]) n.dispose();
});

test('ensemble members are scored (and early-stop when asked) on their out-of-bag items', () => {
  const b = bootstrap(200, seededRandom(1));
  assert.equal(b.inBag.length, 200);
  const inBag = new Set(b.inBag);
  assert.ok(b.outOfBag.every((i) => !inBag.has(i)));
  assert.equal(inBag.size + b.outOfBag.length, 200);
  const members = trainPlausibilityEnsemble({ rated: ratedCells(60, 9), pairs: [], real: [] }, 2, { imageSize: SIZE, net: NET, minSteps: 20, maxSteps: 20, earlyStopping: { every: 5 }, seed: 5 });
  for (const m of members) {
    assert.ok(m.metrics.bestStep !== undefined && m.metrics.bestStep > 0, 'validated on the out-of-bag items');
    assert.ok(m.metrics.rated && m.metrics.rated.count === m.data.heldOut.rated);
    assert.ok(m.data.heldOut.rated > 10 && m.data.heldOut.rated < 35, `out-of-bag: ${m.data.heldOut.rated} of 60`);
    m.net.dispose();
  }
});
