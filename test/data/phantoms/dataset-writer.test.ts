// Phantom data sets on disk: the layout of the real sets (readable by the manifest
// loader), metadata columns, broken variants, determinism, and the CLI command.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { phantomsCommand } from '../../../src/cli/commands/phantoms.js';
import { parseCsv } from '../../../src/data/csv.js';
import { readImageSync } from '../../../src/data/decode.js';
import { loadManifest } from '../../../src/data/manifest.js';
import { CELL_LABELS, FINDING_KEYS, judgeCxr, makeOracleJudge, writePhantomDataset } from '../../../src/data/phantoms/index.js';

const root = mkdtempSync(join(tmpdir(), 'medloop-phantom-ds-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('phantom data sets', () => {
  it('cells: <label>/<file>.png + labels.csv, balanced, readable as a manifest, judged plausible', () => {
    const out = join(root, 'cells');
    let last = 0;
    const s = writePhantomDataset({ kind: 'cells', n: 24, size: 32, seed: 4, out, onProgress: (d) => (last = d) });
    assert.equal(last, 24);
    assert.deepEqual(Object.values(s.counts), CELL_LABELS.map(() => 3));
    const m = loadManifest(out);
    assert.equal(m.entries.length, 24);
    assert.deepEqual(m.labels, [...CELL_LABELS].sort());
    const judge = makeOracleJudge('cells');
    let plausible = 0;
    for (const e of m.entries) {
      const img = readImageSync(join(out, e.path));
      assert.equal(img.width, 32);
      if (judge(img, e.label!).plausible) plausible++;
    }
    assert.ok(plausible >= 22, `${plausible}/24 plausible after PNG round trip`);
  });
  it('cxr: images/ + metadata.csv with report, finding columns and pose; reports with commas are quoted', () => {
    const out = join(root, 'cxr');
    writePhantomDataset({ kind: 'cxr', n: 30, seed: 2, out });
    const rows = parseCsv(readFileSync(join(out, 'metadata.csv'), 'utf8'));
    const header = rows[0]!.fields;
    for (const col of ['path', 'finding', 'report', ...FINDING_KEYS, 'ctr', 'pose_sx', 'pose_sy', 'pose_tx', 'pose_ty', 'pose_theta_deg']) assert.ok(header.includes(col), col);
    assert.equal(rows.length, 31);
    for (const r of rows.slice(1)) assert.equal(r.fields.length, header.length);
    const m = loadManifest(out);
    assert.equal(m.entries.length, 30);
    const e = m.entries[0]!;
    assert.ok(e.report && e.report.length > 5);
    assert.ok(judgeCxr(readImageSync(join(out, e.path)), e.report).plausible !== undefined);
  });
  it('broken: every row names its kind and violated criterion, and the oracle rejects most', () => {
    const out = join(root, 'broken');
    writePhantomDataset({ kind: 'cells', n: 35, seed: 1, out, broken: true });
    const m = loadManifest(out);
    const judge = makeOracleJudge('cells');
    let rejected = 0;
    for (const e of m.entries) {
      assert.ok(e.meta?.broken_kind && e.meta.violated_criterion, e.path);
      if (!judge(readImageSync(join(out, e.path)), e.label!).plausible) rejected++;
    }
    assert.ok(rejected >= 32, `${rejected}/35 rejected`);
  });
  it('is deterministic in the seed', () => {
    writePhantomDataset({ kind: 'cxr', n: 3, seed: 9, out: join(root, 'a') });
    writePhantomDataset({ kind: 'cxr', n: 3, seed: 9, out: join(root, 'b') });
    for (const f of ['metadata.csv', 'images/cxr_00002.png']) assert.deepEqual(readFileSync(join(root, 'a', f)), readFileSync(join(root, 'b', f)));
  });
  it('rejects a bad size or count', () => {
    assert.throws(() => writePhantomDataset({ kind: 'cells', n: 0, out: join(root, 'x') }), /n must be/);
    assert.throws(() => writePhantomDataset({ kind: 'cells', n: 2, size: 8, out: join(root, 'x') }), /size/);
  });
});

describe('medloop phantoms', () => {
  it('writes the data set from options and checks them', async () => {
    const out = join(root, 'cli');
    const log = console.log;
    console.log = () => {};
    try {
      assert.equal(await phantomsCommand.run({ kind: 'cells', n: '16', size: '32', seed: '1', out, labels: 'neutrophil,platelet', json: true }, []), 0);
    } finally {
      console.log = log;
    }
    assert.ok(existsSync(join(out, 'labels.csv')));
    assert.deepEqual(loadManifest(out).labels, ['neutrophil', 'platelet']);
    await assert.rejects(phantomsCommand.run({ kind: 'mri', out, n: '1', size: '64', seed: '1' }, []), /--kind must be cells or cxr/);
    await assert.rejects(phantomsCommand.run({ kind: 'cells', out, n: '1', size: '64', seed: '1', labels: 'myeloblast' }, []), /unknown class 'myeloblast'/);
  });
});
