// The validation study's arithmetic: rated plausibility per model from the answers'
// provenance, and the choice of the headline model, against hand-counted examples.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnswerRecord } from '../../src/feedback/index.js';
import { ConfigError, parseConfig } from '../../src/workspace/config.js';
import { ratedPlausibility, selectByRatings } from '../../src/workspace/demo/validation-stage.js';

let nextId = 1;
/** A binary answer on one image whose provenance names `model` (undefined: none, as a gold item's real image). */
function answer(model: string | undefined, choice: 'plausible' | 'implausible', condition: string, opts: { gold?: boolean; item?: number; rater?: string } = {}): AnswerRecord {
  const id = nextId++;
  return {
    id,
    raterId: 1,
    idempotencyKey: `k${id}`,
    assignmentId: id,
    studyId: 1,
    itemId: opts.item ?? id,
    choice,
    winner: null,
    failedCriteria: [],
    comment: '',
    timeMs: null,
    createdAt: '',
    retractedAt: null,
    studyName: 'validation',
    mode: 'binary',
    raterName: opts.rater ?? 'sim-1',
    simulated: true,
    assignmentPublicId: `a${id}`,
    swapped: false,
    condition,
    isGold: opts.gold ?? false,
    goldAnswer: opts.gold ? 'plausible' : null,
    correct: null,
    images: [{ id, studyId: 1, condition, path: null, sha256: '', width: 32, height: 32, source: model ? 'synthetic' : 'real', provenance: model ? { model, run: `${model}-run` } : { source: 'real' } }],
    winnerImageId: null,
  };
}

test('rated plausibility counts each answer under the model its sample came from, and leaves gold items out', () => {
  const answers = [
    answer('baseline', 'plausible', 'eosinophil'),
    answer('baseline', 'implausible', 'eosinophil'),
    answer('baseline', 'implausible', 'platelet'),
    answer('ddpo', 'plausible', 'eosinophil', { item: 50, rater: 'sim-1' }),
    answer('ddpo', 'plausible', 'eosinophil', { item: 50, rater: 'sim-2' }),
    answer('ddpo', 'implausible', 'platelet'),
    answer('rwl', 'plausible', 'platelet'),
    // gold items (real images) are the raters' check, not a model's rate
    answer(undefined, 'plausible', 'platelet', { gold: true }),
    answer('rwl', 'implausible', 'platelet', { gold: true }),
  ];
  const rated = ratedPlausibility(answers);
  assert.deepEqual(Object.keys(rated).sort(), ['baseline', 'ddpo', 'rwl']);
  assert.deepEqual([rated.baseline!.plausible, rated.baseline!.total], [1, 3]);
  assert.deepEqual([rated.ddpo!.plausible, rated.ddpo!.total], [2, 3]);
  assert.deepEqual([rated.rwl!.plausible, rated.rwl!.total], [1, 1]);
  assert.deepEqual(rated.baseline!.perCondition.eosinophil && [rated.baseline!.perCondition.eosinophil.plausible, rated.baseline!.perCondition.eosinophil.total], [1, 2]);
  assert.equal(rated.ddpo!.perCondition.platelet!.plausible, 0);
  assert.ok(rated.ddpo!.rate.lo < 2 / 3 && 2 / 3 < rated.ddpo!.rate.hi, 'a Wilson interval around the rate');
});

test('the headline is the aligned model the raters accepted most; a tie goes to the first of align.methods', () => {
  const rate = (plausible: number, total: number) => ratedPlausibility(Array.from({ length: total }, (_, i) => answer('m', i < plausible ? 'plausible' : 'implausible', 'c'))).m!;
  assert.equal(selectByRatings({ baseline: rate(9, 30), ddpo: rate(10, 30), rwl: rate(14, 30) }, ['ddpo', 'rwl']), 'rwl');
  assert.equal(selectByRatings({ baseline: rate(9, 30), ddpo: rate(15, 30), rwl: rate(14, 30) }, ['ddpo', 'rwl']), 'ddpo');
  assert.equal(selectByRatings({ ddpo: rate(12, 30), rwl: rate(12, 30) }, ['ddpo', 'rwl']), 'ddpo');
  assert.equal(selectByRatings({ ddpo: rate(12, 30), rwl: rate(12, 30) }, ['rwl', 'ddpo']), 'rwl');
  // shares, not counts: 5 of 10 beats 9 of 30
  assert.equal(selectByRatings({ ddpo: rate(9, 30), rwl: rate(5, 10) }, ['ddpo', 'rwl']), 'rwl');
  assert.throws(() => selectByRatings({ ddpo: rate(1, 2) }, ['ddpo', 'rwl']), /no answers for rwl/);
  assert.throws(() => selectByRatings({}, []), /no aligned model/);
});

test('validation.samplesPerCondition: off by default, a negative count is refused naming the key', () => {
  assert.equal(parseConfig({}).validation.samplesPerCondition, 0);
  assert.equal(parseConfig({ validation: { samplesPerCondition: 32 } }).validation.samplesPerCondition, 32);
  assert.throws(() => parseConfig({ validation: { samplesPerCondition: -1 } }), (e: unknown) => e instanceof ConfigError && e.key === 'validation.samplesPerCondition');
  assert.throws(() => parseConfig({ validation: { perCondition: 3 } }), (e: unknown) => e instanceof ConfigError && e.key === 'validation.perCondition');
});
