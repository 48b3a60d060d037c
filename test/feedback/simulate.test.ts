// Simulated raters answer through the HTTP API with a judge that sees the decoded PNG;
// with no error their answers equal the judge's truth, error and bias move them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildServer,
  createStudyFromSamples,
  decide,
  FeedbackStore,
  getJudge,
  listJudges,
  registerJudge,
  simulateStudy,
  studyReport,
  type Judge,
} from '../../src/feedback/index.js';
import { seededRandom } from '../../src/feedback/random.js';
import { makeWorkspace, type Workspace } from './fixtures.js';

/** The fixture's truth for a stored image (plausible images have mean 0.5 / 0.55, implausible 0.1 / 0.9). */
function truthOf(ws: Workspace, store: FeedbackStore, imageId: number): boolean {
  const file = String(store.getImage(imageId).provenance.file);
  const im = ws.images.find((x) => `${x.name}.png` === file);
  assert.ok(im, `fixture image for ${file}`);
  return im.plausible;
}

test('error-free simulated raters reproduce the judge: binary study, in-process server', async () => {
  const ws = makeWorkspace({ perCondition: 6, goldPerCondition: 1, implausibleGold: true });
  const store = FeedbackStore.openWorkspace(ws.dir);
  try {
    createStudyFromSamples(store, { name: 'sim', mode: 'binary', dir: ws.samplesDir, raters: [], ratersPerItem: 3, goldRate: 0.2 });
    const result = await simulateStudy({ store, study: 'sim', raters: 5, errorRate: 0, seed: 3 });
    assert.equal(result.raters.length, 5);
    assert.equal(result.answers, store.listAnswers(1).length);
    assert.equal(result.answers, store.listAssignments(1).length, 'every assignment answered');
    assert.ok(result.raters.every((r) => r.deviations === 0));
    for (const a of store.listAnswers(1)) {
      const truth = truthOf(ws, store, a.images[0]!.id);
      assert.equal(a.choice, truth ? 'plausible' : 'implausible', `answer ${a.id}`);
      // Too dark (synthetic, mean 0.1) fails the chromatin pattern, too bright (gold, mean 0.9) the cytoplasm colour.
      if (!truth) assert.deepEqual(a.failedCriteria, [String(a.images[0]!.provenance.file).includes('gold') ? 'cytoplasm_colour' : 'chromatin_pattern']);
      else assert.deepEqual(a.failedCriteria, []);
      assert.equal(a.simulated, true);
    }
    const report = studyReport(store, 1);
    assert.ok(report.raters.every((r) => r.gold.accuracy === 1));
    assert.equal(report.agreement.fleiss.kappa, 1, 'perfect raters agree perfectly');
    assert.equal(report.agreement.krippendorff.alpha, 1);
  } finally {
    store.close();
    ws.cleanup();
  }
});

test('error rate and bias: noisy raters deviate and agree less; full positive bias says plausible to all', async () => {
  const ws = makeWorkspace({ conditions: ['neutrophil', 'lymphocyte', 'monocyte'], perCondition: 12 });
  const store = FeedbackStore.openWorkspace(ws.dir);
  try {
    createStudyFromSamples(store, { name: 'noisy', mode: 'binary', dir: ws.samplesDir, ratersPerItem: 4, seed: 5 });
    const noisy = await simulateStudy({ store, study: 'noisy', raters: 4, errorRate: 0.3, seed: 9, namePrefix: 'noisy' });
    const dev = noisy.raters.reduce((s, r) => s + r.deviations, 0) / noisy.answers;
    assert.ok(dev > 0.15 && dev < 0.45, `deviation rate ${dev}`);
    const report = studyReport(store, 1);
    assert.ok(report.agreement.fleiss.kappa < 0.8, `κ ${report.agreement.fleiss.kappa}`);
    // Bias applied alone (no error): everything plausible.
    createStudyFromSamples(store, { name: 'biased', mode: 'binary', dir: ws.samplesDir, ratersPerItem: 1, seed: 5 });
    await simulateStudy({ store, study: 'biased', raters: [{ name: 'yes-man', errorRate: 0, bias: 1 }] });
    const biased = store.listAnswers(store.findStudy('biased')!.id);
    assert.ok(biased.length > 0 && biased.every((a) => a.choice === 'plausible' && a.failedCriteria.length === 0));
  } finally {
    store.close();
    ws.cleanup();
  }
});

test('pairwise: the judge decides (tie when equal), answers are stored side-independently; works against a running server by URL', async () => {
  const ws = makeWorkspace({ perCondition: 6 });
  const store = FeedbackStore.openWorkspace(ws.dir);
  const app = await buildServer({ store });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    createStudyFromSamples(store, { name: 'pairs', mode: 'pairwise', dir: ws.samplesDir, ratersPerItem: 2, comparisonsPerImage: 3, seed: 2 });
    const result = await simulateStudy({ url, adminToken: store.ensureAdmin().token, study: 'pairs', raters: 3, errorRate: 0 });
    assert.ok(result.answers > 0);
    const answers = store.listAnswers(1);
    let decisive = 0;
    for (const a of answers) {
      const [ta, tb] = a.images.map((im) => truthOf(ws, store, im.id));
      const expected = ta === tb ? 'tie' : ta ? 'a' : 'b';
      assert.equal(a.winner, expected, `answer ${a.id}`);
      if (expected !== 'tie') {
        decisive++;
        assert.equal(a.winnerImageId, a.images[expected === 'a' ? 0 : 1]!.id);
        // The displayed side differs from the stored winner whenever the sides were swapped.
        assert.equal(a.choice, (expected === 'a') !== a.swapped ? 'left' : 'right');
      }
    }
    assert.ok(decisive > 0, 'some pairs have a clear winner');
    assert.ok(answers.some((a) => a.swapped) && answers.some((a) => !a.swapped));
  } finally {
    await app.close();
    store.close();
    ws.cleanup();
  }
});

test('judge registry: register by name, select by name, unknown names list the known ones', async () => {
  const seen: string[] = [];
  const judge: Judge = (image, condition) => {
    seen.push(`${condition}:${image.width}x${image.height}x${image.channels}`);
    return { plausible: false, failedCriteria: ['Nucleus shape'] };
  };
  registerJudge('test-nucleus', judge, 'always fails the nucleus shape');
  assert.equal(getJudge('test-nucleus'), judge);
  assert.ok(listJudges().some((j) => j.name === 'mean-intensity'));
  assert.throws(() => getJudge('nope'), /unknown judge 'nope' \(known: .*mean-intensity/);
  const ws = makeWorkspace({ perCondition: 2 });
  const store = FeedbackStore.openWorkspace(ws.dir);
  try {
    createStudyFromSamples(store, { name: 'j', mode: 'binary', dir: ws.samplesDir, ratersPerItem: 1 });
    await simulateStudy({ store, study: 'j', raters: 1, errorRate: 0, judge: 'test-nucleus' });
    assert.equal(seen.length, 4);
    assert.ok(seen.every((s) => /^(neutrophil|lymphocyte):16x16x3$/.test(s)), 'the judge gets the decoded 16×16 RGB raster');
    // Labels map onto checklist ids.
    assert.ok(store.listAnswers(1).every((a) => a.choice === 'implausible' && a.failedCriteria.join() === 'nucleus_shape'));
    await assert.rejects(simulateStudy({ store, study: 'nope', raters: 1 }), /study 'nope' not found/);
    await assert.rejects(simulateStudy({ store, study: 'j', raters: 1, errorRate: 2 }), /error rate must be in \[0, 1\]/);
  } finally {
    store.close();
    ws.cleanup();
  }
});

test('decide(): error flips, bias leans, pairwise position bias', () => {
  const spec = { name: 'x', errorRate: 0, bias: 0 };
  const r = seededRandom(1);
  assert.deepEqual(decide('binary', [{ plausible: false, failedCriteria: ['Granules'] }], ['granules', 'cell_size'], spec, r), {
    choice: 'implausible',
    failedCriteria: ['granules'],
    deviates: false,
  });
  const flipped = decide('binary', [{ plausible: true, failedCriteria: [] }], ['granules'], { ...spec, errorRate: 1 }, r);
  assert.equal(flipped.choice, 'implausible');
  assert.deepEqual(flipped.failedCriteria, ['granules'], 'a wrong "implausible" still names some criterion');
  assert.equal(flipped.deviates, true);
  assert.equal(decide('binary', [{ plausible: true, failedCriteria: [] }], [], { ...spec, bias: -1 }, r).choice, 'implausible');
  assert.equal(decide('pairwise', [{ plausible: true, failedCriteria: [] }, { plausible: true, failedCriteria: [] }], [], spec, r).choice, 'tie');
  assert.equal(decide('pairwise', [{ plausible: false, failedCriteria: [] }, { plausible: true, failedCriteria: [] }], [], spec, r).choice, 'right');
  assert.equal(decide('pairwise', [{ plausible: false, failedCriteria: [] }, { plausible: true, failedCriteria: [] }], [], { ...spec, bias: 1 }, r).choice, 'left');
  // Error rate 1 in pairwise never returns the truth.
  for (let i = 0; i < 50; i++) assert.notEqual(decide('pairwise', [{ plausible: true, failedCriteria: [] }, { plausible: false, failedCriteria: [] }], [], { ...spec, errorRate: 1 }, r).choice, 'left');
});
