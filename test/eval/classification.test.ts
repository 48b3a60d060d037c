import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auroc, classificationScores } from '../../src/eval/metrics/classification.js';

test('AUROC matches hand-computed examples, ties counting ½', () => {
  // Positives {0.35, 0.8}, negatives {0.1, 0.4}: pairs won 0.35>0.1, 0.8>0.1, 0.8>0.4 → 3/4.
  assert.equal(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  // Positives {0.5, 0.9}, negatives {0.5, 0.5}: 0.9 wins 2, 0.5 ties 2 → (2 + 1)/4.
  assert.equal(auroc([0.5, 0.5, 0.5, 0.9], [0, 1, 0, 1]), 0.75);
  assert.equal(auroc([1, 2, 3], [false, false, true]), 1);
  assert.equal(auroc([3, 2, 1], [false, false, true]), 0);
  assert.ok(Number.isNaN(auroc([1, 2], [1, 1])));
});

test('accuracy, macro-F1 and macro AUROC on a hand-checked 3-class example', () => {
  const probs = [
    [0.7, 0.2, 0.1], // y0 → 0 ✓
    [0.6, 0.3, 0.1], // y0 → 0 ✓
    [0.2, 0.5, 0.3], // y1 → 1 ✓
    [0.5, 0.4, 0.1], // y1 → 0 ✗
    [0.1, 0.2, 0.7], // y2 → 2 ✓
    [0.1, 0.6, 0.3], // y2 → 1 ✗
  ];
  const labels = [0, 0, 1, 1, 2, 2];
  const s = classificationScores(probs, labels, 3);
  assert.equal(s.accuracy, 4 / 6);
  // class 0: P 2/3, R 1 → F1 0.8; class 1: P 1/2, R 1/2 → 0.5; class 2: P 1, R 1/2 → 2/3.
  assert.ok(Math.abs(s.macroF1 - (0.8 + 0.5 + 2 / 3) / 3) < 1e-12);
  assert.deepEqual(s.confusion, [[2, 0, 0], [1, 1, 0], [0, 1, 1]]);
  // class 0 scores: pos {0.7, 0.6} beat all negatives {0.2, 0.5, 0.1, 0.1} → 1.
  assert.equal(s.perClass[0]!.auroc, 1);
  // class 1: pos {0.5, 0.4} vs neg {0.2, 0.3, 0.2, 0.6}: 0.5 beats 3, 0.4 beats 3 → 6/8.
  assert.equal(s.perClass[1]!.auroc, 0.75);
  // class 2: pos {0.7, 0.3} vs neg {0.1, 0.1, 0.3, 0.1}: 0.7 beats 4; 0.3 beats 3, ties 1 → 7.5/8.
  assert.equal(s.perClass[2]!.auroc, 7.5 / 8);
  assert.ok(Math.abs(s.aurocMacro - (1 + 0.75 + 7.5 / 8) / 3) < 1e-12);
  // Flat row-major input gives the same result.
  assert.deepEqual(classificationScores(probs.flat(), labels, 3), s);
});
