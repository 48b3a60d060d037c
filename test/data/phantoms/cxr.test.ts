// Chest X-ray phantoms: reports round-trip through the parser; the oracle estimates
// posture and sees each finding from pixels (≥ 95% per criterion on valid phantoms)
// and rejects each kind of broken image/report pair (≥ 90%).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BROKEN_CXR_KINDS,
  CXR_CRITERIA,
  drawCxr,
  findingLabel,
  isCoherent,
  judgeCxr,
  measureCxr,
  noFindings,
  parseCondition,
  parseReport,
  renderBrokenCxr,
  renderCxr,
  sampleCxrParams,
  sampleFindings,
  writeReport,
} from '../../../src/data/phantoms/index.js';
import { seededRandom } from '../../../src/data/random.js';

const VALID = 300;
const BROKEN = 60;

describe('reports', () => {
  it('parse back to the findings they were written from (2000 random sets)', () => {
    const r = seededRandom(11);
    for (let i = 0; i < 2000; i++) {
      const f = sampleFindings(r, { cardiomegaly: 0.4, effusion: 0.3, opacity: 0.6, pneumothorax: 0.3 });
      const text = writeReport(f, r, { effusion: { right: 'moderate', left: 'small' } });
      assert.equal(findingLabel(parseReport(text)), findingLabel(f), text);
    }
  });
  it('read common phrasings, negations and lobes', () => {
    const cases: Array<[string, string]> = [
      ['Enlarged cardiac silhouette. Small right pleural effusion. No pneumothorax.', 'cardiomegaly|effusion_right'],
      ['No acute cardiopulmonary abnormality.', 'normal'],
      ['Heart size is normal. Lungs are clear. No pleural effusion or pneumothorax.', 'normal'],
      ['IMPRESSION: RUL consolidation; small left apical pneumothorax.', 'opacity_rul|pneumothorax_left'],
      ['Opacities in the right middle and left lower lobes.', 'opacity_rml|opacity_lll'],
      ['Patchy opacity in the right upper and lower lobes.', 'opacity_rul|opacity_rll'],
      ['Bibasilar airspace disease.', 'opacity_rll|opacity_lll'],
      ['Lingular opacity. Bilateral pleural effusions.', 'effusion_right|effusion_left|opacity_lul'],
      ['Blunting of the left costophrenic angle, consistent with a small effusion.', 'effusion_left'],
      ['The cardiomediastinal silhouette is within normal limits.', 'normal'],
    ];
    for (const [text, want] of cases) assert.equal(findingLabel(parseReport(text)), want, text);
  });
  it('accept finding labels as conditions', () => {
    assert.equal(findingLabel(parseCondition('normal')), 'normal');
    assert.equal(findingLabel(parseCondition('cardiomegaly|effusion_left')), 'cardiomegaly|effusion_left');
    assert.equal(findingLabel(parseCondition('Cardiomegaly.')), 'cardiomegaly');
  });
  it('only coherent finding sets are sampled', () => {
    const r = seededRandom(5);
    for (let i = 0; i < 500; i++) assert.ok(isCoherent(sampleFindings(r)));
    const f = noFindings();
    f.effusion.left = true;
    f.opacity = ['lll'];
    assert.equal(isCoherent(f), false);
  });
});

describe('chest X-ray rendering', () => {
  it('is deterministic, grey, in range, and carries its report and parameters', () => {
    const a = renderCxr({ seed: 4 });
    const b = renderCxr({ seed: 4 });
    assert.deepEqual(a.image.data, b.image.data);
    assert.equal(a.report, b.report);
    assert.equal(a.image.channels, 1);
    assert.equal(a.image.width, 64);
    for (const v of a.image.data) assert.ok(v >= 0 && v <= 1);
    assert.equal(findingLabel(parseReport(a.report)), findingLabel(a.params.findings));
  });
});

describe('chest X-ray oracle', () => {
  it('estimates the posture it was drawn with (rotation within 3°, scale within 0.15, shift within 0.1)', () => {
    for (let i = 0; i < 60; i++) {
      const p = sampleCxrParams({ seed: 60_000 + i });
      p.pose = { sx: 0.9 + 0.003 * i, sy: 0.92 + 0.0025 * i, tx: 0.002 * (i - 30), ty: -0.001 * (i - 30), theta: ((i % 13) - 6) * (Math.PI / 180) };
      const m = measureCxr(drawCxr(p));
      assert.ok(m.found);
      assert.ok(Math.abs(m.pose.theta - p.pose.theta) < (3 * Math.PI) / 180, `θ ${m.pose.theta} vs ${p.pose.theta}`);
      assert.ok(Math.abs(m.pose.sx - p.pose.sx) < 0.15 && Math.abs(m.pose.sy - p.pose.sy) < 0.15, `s ${m.pose.sx},${m.pose.sy} vs ${p.pose.sx},${p.pose.sy}`);
      assert.ok(Math.abs(m.pose.tx - p.pose.tx) < 0.1 && Math.abs(m.pose.ty - p.pose.ty) < 0.1, `t ${m.pose.tx},${m.pose.ty}`);
    }
  });
  for (const size of [64, 32]) {
    const n = size === 64 ? VALID : VALID / 2;
    it(`gets every criterion right for ≥ 95% of ${n} valid ${size}-px phantoms judged against their reports`, () => {
      const pass = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const { image, report } = renderCxr({ seed: 70_000 + i, size });
        for (const c of judgeCxr(image, report).criteria) pass.set(c.criterion, (pass.get(c.criterion) ?? 0) + (c.pass ? 1 : 0));
      }
      const low = CXR_CRITERIA.filter((c) => (pass.get(c) ?? 0) / n < 0.95).map((c) => `${c} ${((100 * pass.get(c)!) / n).toFixed(1)}%`);
      assert.deepEqual(low, []);
    });
    it(`rejects ≥ 90% of each kind of broken image/report pair at ${size} px`, () => {
      const low: string[] = [];
      for (const kind of BROKEN_CXR_KINDS) {
        let rejected = 0;
        for (let i = 0; i < BROKEN; i++) {
          const b = renderBrokenCxr({ kind: kind.name, seed: 80_000 + i, size });
          assert.equal(b.params.broken?.kind, kind.name);
          if (!judgeCxr(b.image, b.report).plausible) rejected++;
        }
        if (rejected / BROKEN < 0.9) low.push(`${kind.name}: ${((100 * rejected) / BROKEN).toFixed(0)}%`);
      }
      assert.deepEqual(low, []);
    });
  }
  it('flags the stated-but-absent finding by name', () => {
    const f = noFindings();
    f.effusion.right = true;
    const drawn = renderCxr({ seed: 9, findings: noFindings() });
    const v = judgeCxr(drawn.image, writeReport(f, seededRandom(1)));
    assert.equal(v.plausible, false);
    assert.ok(v.failedCriteria.includes('effusion_right'));
  });
  it('fails posture (only) for a blank image with no lungs, and names stated findings', () => {
    const blank = { width: 64, height: 64, channels: 1 as const, data: new Float32Array(64 * 64).fill(0.5) };
    const v = judgeCxr(blank, 'Cardiomegaly.');
    assert.deepEqual(v.failedCriteria, ['posture', 'cardiomegaly']);
  });
});
