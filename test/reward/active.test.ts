import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, dispose, seedInit, tensor, tidy } from '../../src/engine/index.js';
import { PlausibilityRewardNet } from '../../src/models/reward-net.js';
import { acquisitionScores, chooseForRating, gradientEmbeddings, rastersToUnitTensor } from '../../src/reward/index.js';
import { cellPool } from '../../bench/reward-testbed.js';

const conditions = ['eosinophil', 'lymphocyte', 'monocyte', 'neutrophil'];
const net = (seed: number) => {
  seedInit(seed);
  return new PlausibilityRewardNet({ inChannels: 3, imageSize: 16, conditions, criteria: [], widths: [8, 16] });
};

test('active choice ranks by the acquisition score and spreads the budget over conditions', () => {
  const nets = [net(1), net(2), net(3)];
  const candidates = cellPool(60, 4, { size: 16 });
  const scores = acquisitionScores(candidates, nets, 'disagreement');
  assert.ok(scores.every((s) => s.score >= 0 && s.mean > 0 && s.mean < 1));
  assert.ok(scores.some((s) => s.std > 0), 'differently seeded members disagree');
  const unbalanced = chooseForRating(candidates, nets, 8, { balanceConditions: false });
  const top = [...scores].sort((a, b) => b.score - a.score).slice(0, 8).map((s) => s.score);
  assert.deepEqual(
    unbalanced.map((c) => c.score),
    top,
  );
  assert.deepEqual(
    unbalanced.map((c) => c.rank),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  const balanced = chooseForRating(candidates, nets, 20);
  const per = new Map<string, number>();
  for (const c of balanced) per.set(c.condition, (per.get(c.condition) ?? 0) + 1);
  for (const cond of conditions) {
    const share = (20 * candidates.filter((c) => c.condition === cond).length) / candidates.length;
    assert.ok(Math.abs((per.get(cond) ?? 0) - share) < 1, `${cond}: ${per.get(cond)} vs ${share}`);
  }
  // Within a condition the best-scoring candidates are taken.
  for (const cond of conditions) {
    const chosen = balanced.filter((c) => c.condition === cond).map((c) => c.score);
    const all = candidates.map((c, i) => ({ c, s: scores[i]!.score })).filter((x) => x.c.condition === cond).map((x) => x.s).sort((a, b) => b - a);
    assert.deepEqual([...chosen].sort((a, b) => b - a), all.slice(0, chosen.length));
  }
  // One model: entropy, highest where P(plausible) is nearest ½.
  const single = chooseForRating(candidates, nets[0]!, 5, { balanceConditions: false });
  const dist = (p: number) => Math.abs(p - 0.5);
  assert.ok(single.every((c) => c.std === 0));
  const rest = acquisitionScores(candidates, [nets[0]!], 'entropy').map((s) => dist(s.mean)).sort((a, b) => a - b);
  assert.ok(Math.max(...single.map((c) => dist(c.mean))) <= rest[4]! + 1e-9, 'the five nearest ½ are chosen');
  assert.equal(chooseForRating(candidates, nets, 500).length, 60);
  for (const n of nets) n.dispose();
});

test('power acquisition samples ∝ score^power: a huge power is the top-k, power 1 favours high scores but spreads', () => {
  const nets = [net(1), net(2), net(3)];
  const candidates = cellPool(80, 6, { size: 16 });
  const opts = { acquisition: 'disagreement' as const, balanceConditions: false };
  const top = chooseForRating(candidates, nets, 10, opts).map((c) => c.id);
  assert.deepEqual(
    chooseForRating(candidates, nets, 10, { ...opts, power: 1e6 }).map((c) => c.id),
    top,
  );
  const scores = acquisitionScores(candidates, nets, 'disagreement').map((s) => s.score);
  const poolMean = scores.reduce((a, b) => a + b, 0) / scores.length;
  let differs = 0;
  let chosenMean = 0;
  for (let seed = 0; seed < 20; seed++) {
    const picked = chooseForRating(candidates, nets, 10, { ...opts, power: 1, seed });
    assert.equal(new Set(picked.map((c) => c.id)).size, 10, 'without replacement');
    if (picked.some((c) => !top.includes(c.id))) differs++;
    chosenMean += picked.reduce((a, c) => a + c.score, 0) / 10 / 20;
  }
  assert.ok(differs >= 15, `power 1 strays from the top-k (${differs}/20 seeds)`);
  assert.ok(chosenMean > poolMean, `sampled batches score above the pool mean (${chosenMean} vs ${poolMean})`);
  for (const n of nets) n.dispose();
});

test('BADGE gradient embeddings are the last layer’s autograd gradient under the model’s own guess', () => {
  const nets = [net(4), net(5)];
  const candidates = cellPool(6, 7, { size: 16 });
  const { rows, dim, probs } = gradientEmbeddings(candidates, nets);
  const hidden = nets[0]!.config.hidden;
  assert.equal(dim, 2 * (hidden + 1), 'members side by side, weights then bias');
  const x = rastersToUnitTensor(
    candidates.map((c) => c.image),
    16,
    3,
  );
  nets.forEach((m, k) => {
    m.eval();
    candidates.forEach((c, i) => {
      m.zeroGrad();
      tidy(() => {
        const logit = m.forward(x.narrow(0, i, 1), m.conditionIndices([c.condition])).select(1, 0);
        assert.ok(Math.abs(logit.sigmoid().item() - probs[k]![i]!) < 1e-5);
        F.bceWithLogits(logit, tensor([probs[k]![i]! >= 0.5 ? 1 : 0], [1]), 'sum').backward();
      });
      const gw = m.fc2.weight.grad!;
      const gb = m.fc2.bias!.grad!;
      const expected = [...gw.select(0, 0).toNumbers(), gb.toNumbers()[0]!];
      dispose([gw, gb]);
      const got = [...rows.subarray(i * dim + k * (hidden + 1), i * dim + (k + 1) * (hidden + 1))];
      for (let j = 0; j < expected.length; j++) assert.ok(Math.abs(got[j]! - expected[j]!) < 1e-5, `model ${k} candidate ${i} entry ${j}: ${got[j]} vs ${expected[j]}`);
    });
    m.zeroGrad();
  });
  x.dispose();
  // The badge score is the embedding's length.
  const scores = acquisitionScores(candidates, nets, 'badge');
  scores.forEach((s, i) => assert.ok(Math.abs(s.score - Math.hypot(...rows.subarray(i * dim, (i + 1) * dim))) < 1e-5));
  for (const n of nets) n.dispose();
});

test('BADGE never spends a batch on copies of one hard case; top-k entropy does', () => {
  const model = net(6);
  // Six distinct cells, each ten times over, all of one condition.
  const distinct = cellPool(6, 8, { size: 16 }).map((c) => ({ ...c, condition: 'monocyte' }));
  const candidates = distinct.flatMap((c) => Array.from({ length: 10 }, (_, r) => ({ ...c, id: `${c.id}/${r}` })));
  const source = (id: string) => id.split('/')[0];
  const topK = chooseForRating(candidates, model, 6, { acquisition: 'entropy' });
  assert.equal(new Set(topK.map((c) => source(c.id))).size, 1, 'top-k takes six copies of the most uncertain cell');
  for (const seed of [0, 1, 2]) {
    const badge = chooseForRating(candidates, model, 6, { acquisition: 'badge', seed });
    assert.equal(new Set(badge.map((c) => source(c.id))).size, 6, `seed ${seed}: six different cells`);
  }
  assert.throws(() => chooseForRating(candidates, model, 6, { acquisition: 'badge', power: 1 }), /power does not apply to badge/);
  // Balanced over conditions, BADGE keeps each condition's share.
  const mixed = cellPool(40, 9, { size: 16 });
  const chosen = chooseForRating(mixed, model, 10, { acquisition: 'badge' });
  for (const cond of conditions) {
    const share = (10 * mixed.filter((c) => c.condition === cond).length) / mixed.length;
    assert.ok(Math.abs(chosen.filter((c) => c.condition === cond).length - share) < 1, cond);
  }
  model.dispose();
});
