// Blood-cell phantoms and their oracle: rendering is seeded and returns its parameters;
// the oracle, from pixels alone, passes valid phantoms on every criterion (≥ 95%),
// rejects each kind of broken phantom (≥ 90%) and tells the classes apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withChannels } from '../../../src/data/raster.js';
import {
  BROKEN_CELL_KINDS,
  blankSlide,
  brokenCellPairs,
  CELL_CRITERIA,
  CELL_DESIDERATA,
  CELL_LABELS,
  cellVerdictFrom,
  judgeCell,
  measureCell,
  renderBrokenCell,
  renderCell,
  UnknownCellClassError,
} from '../../../src/data/phantoms/index.js';

const VALID_PER_CLASS = 150; // per size: 300 per class in all
const BROKEN_PER_PAIR = 25; // per size

describe('cell rendering', () => {
  it('is deterministic in the seed and returns the parameters that made the image', () => {
    const a = renderCell({ label: 'neutrophil', seed: 7, size: 64 });
    const b = renderCell({ label: 'neutrophil', seed: 7, size: 64 });
    const c = renderCell({ label: 'neutrophil', seed: 8, size: 64 });
    assert.deepEqual(a.image.data, b.image.data);
    assert.notDeepEqual(a.image.data, c.image.data);
    assert.equal(a.image.width, 64);
    assert.equal(a.image.channels, 3);
    assert.equal(a.params.label, 'neutrophil');
    assert.ok(a.params.nucleus.lobes >= 3 && a.params.nucleus.lobes <= 5);
    assert.ok(a.placed.erythrocytes > 0);
    for (const v of a.image.data) assert.ok(v >= 0 && v <= 1);
  });
  it('draws 32-px phantoms as miniatures of the 64-px ones', () => {
    const small = renderCell({ label: 'eosinophil', seed: 3, size: 32 });
    assert.equal(small.image.width, 32);
    assert.deepEqual(small.params.nucleus, renderCell({ label: 'eosinophil', seed: 3, size: 64 }).params.nucleus);
  });
});

describe('cell oracle on valid phantoms', () => {
  for (const size of [64, 32]) {
    it(`passes every criterion for ≥ 95% of ${VALID_PER_CLASS} phantoms per class at ${size} px, and rejects other classes`, () => {
      const problems: string[] = [];
      for (const label of CELL_LABELS) {
        const pass = new Map<string, number>(CELL_CRITERIA.map((c) => [c, 0]));
        const wrongClassAccepted = new Map<string, number>();
        for (let i = 0; i < VALID_PER_CLASS; i++) {
          const m = measureCell(renderCell({ label, size, seed: 10_000 + i }).image);
          for (const c of cellVerdictFrom(m, label).criteria) if (c.pass) pass.set(c.criterion, pass.get(c.criterion)! + 1);
          for (const other of CELL_LABELS) if (other !== label && cellVerdictFrom(m, other).plausible) wrongClassAccepted.set(other, (wrongClassAccepted.get(other) ?? 0) + 1);
        }
        for (const [c, k] of pass) if (k / VALID_PER_CLASS < 0.95) problems.push(`${label}@${size} ${c}: ${((100 * k) / VALID_PER_CLASS).toFixed(1)}% pass`);
        for (const [o, k] of wrongClassAccepted) if (k / VALID_PER_CLASS > 0.1) problems.push(`${label}@${size} accepted as ${o}: ${((100 * k) / VALID_PER_CLASS).toFixed(1)}%`);
      }
      assert.deepEqual(problems, []);
    });
  }
});

describe('cell oracle on broken phantoms', () => {
  it('every broken kind names a checklist criterion and applies to at least one class', () => {
    for (const k of BROKEN_CELL_KINDS) {
      assert.ok((CELL_CRITERIA as readonly string[]).includes(k.criterion), k.name);
      assert.ok(k.appliesTo.length > 0, k.name);
    }
    assert.throws(() => renderBrokenCell({ label: 'platelet', kind: 'wrong-nc-ratio', seed: 1 }), /does not apply to platelet/);
  });
  for (const size of [64, 32]) {
    it(`rejects ≥ 90% of each (kind, class) of broken phantoms at ${size} px`, () => {
      const problems: string[] = [];
      for (const { label, kind } of brokenCellPairs()) {
        let rejected = 0;
        for (let i = 0; i < BROKEN_PER_PAIR; i++) {
          const { image, params } = renderBrokenCell({ label, kind: kind.name, size, seed: 20_000 + i });
          assert.equal(params.broken?.criterion, kind.criterion);
          if (!judgeCell(image, label).plausible) rejected++;
        }
        if (rejected / BROKEN_PER_PAIR < 0.9) problems.push(`${kind.name}/${label}@${size}: ${((100 * rejected) / BROKEN_PER_PAIR).toFixed(0)}% rejected`);
      }
      assert.deepEqual(problems, []);
    });
  }
  it('names the violated criterion for single-criterion edits', () => {
    const cases: Array<[string, (typeof CELL_LABELS)[number]]> = [
      ['wrong-lobes', 'neutrophil'],
      ['missing-granules', 'eosinophil'],
      ['wrong-colour', 'lymphocyte'],
      ['wrong-vacuoles', 'monocyte'],
      ['wrong-size', 'platelet'],
    ];
    for (const [kind, label] of cases) {
      let flagged = 0;
      for (let i = 0; i < 20; i++) {
        const { image, params } = renderBrokenCell({ label, kind, seed: 30_000 + i });
        if (judgeCell(image, label).failedCriteria.includes(params.broken!.criterion)) flagged++;
      }
      assert.ok(flagged >= 18, `${kind}/${label}: flagged ${flagged}/20`);
    }
  });
});

describe('cell oracle edge cases', () => {
  it('finds no cell on an empty slide and fails every criterion', () => {
    const v = judgeCell(blankSlide(64), 'lymphocyte');
    assert.equal(v.plausible, false);
    assert.deepEqual([...v.failedCriteria].sort(), [...CELL_CRITERIA].sort());
    assert.equal(v.measurements.found, false);
  });
  it('accepts grey and odd-sized images without throwing', () => {
    const img = renderCell({ label: 'monocyte', seed: 5, size: 64 }).image;
    assert.equal(typeof judgeCell(withChannels(img, 1), 'monocyte').plausible, 'boolean');
    const big = renderCell({ label: 'monocyte', seed: 5, size: 96 }).image;
    assert.equal(big.width, 96);
    assert.equal(typeof judgeCell(big, 'monocyte').plausible, 'boolean');
  });
  it('rejects an unknown class with a typed error naming it', () => {
    const img = renderCell({ label: 'ig', seed: 1 }).image;
    assert.throws(() => judgeCell(img, 'myeloblast'), (e: unknown) => e instanceof UnknownCellClassError && e.condition === 'myeloblast');
    assert.equal(judgeCell(img, ' IG ').condition, 'ig');
  });
  it('desiderata cover every class and criterion', () => {
    for (const l of CELL_LABELS) assert.equal(CELL_DESIDERATA[l].label, l);
  });
});
