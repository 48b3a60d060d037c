import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodePng } from '../../src/data/png.js';
import { createRaster } from '../../src/data/raster.js';
import { SampleFolderError, loadSampleFolder } from '../../src/eval/sample-folder.js';

test('sample folders: sidecar conditions (names or class indices), sub-folder conditions, per-condition cap', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-samples-'));
  try {
    const png = encodePng(createRaster(8, 8, 3, 0.5));
    writeFileSync(join(dir, 'a.png'), png);
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ condition: 1, seed: 3 }));
    writeFileSync(join(dir, 'b.png'), png);
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ condition: 'eosinophil' }));
    writeFileSync(join(dir, 'c.png'), png);
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ condition: 'eosinophil' }));
    mkdirSync(join(dir, 'platelet'));
    writeFileSync(join(dir, 'platelet', 'x.png'), png);
    const f = await loadSampleFolder(dir, { classNames: ['basophil', 'eosinophil', 'platelet'], perCondition: 1, size: 4 });
    assert.deepEqual(f.conditions, ['eosinophil', 'platelet']);
    assert.deepEqual(f.paths, ['a.png', 'platelet/x.png']);
    assert.equal(f.sidecars[0]!.seed, 3);
    assert.equal(f.rasters[0]!.width, 4);
    writeFileSync(join(dir, 'd.png'), png);
    writeFileSync(join(dir, 'd.json'), JSON.stringify({ condition: 7 }));
    await assert.rejects(loadSampleFolder(dir, { classNames: ['basophil', 'eosinophil', 'platelet'] }), (e: unknown) => e instanceof SampleFolderError && /d\.json: condition 7 is not a class index/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
