// Manifests from image folders, CSVs and the shared data sets, and their errors.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManifestError } from '../../src/data/errors.js';
import { entryPath, fromCsv, fromImageFolder, fromSharedDataset, loadManifest } from '../../src/data/manifest.js';
import { encodePng } from '../../src/data/png.js';
import { createRaster } from '../../src/data/raster.js';

const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const tmp = mkdtempSync(join(tmpdir(), 'medloop-manifest-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function writeImage(path: string, value = 0.5): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, encodePng(createRaster(4, 4, 1, value)));
}

function counts(labels: Array<string | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of labels) out[l ?? '?'] = (out[l ?? '?'] ?? 0) + 1;
  return out;
}

describe('fromImageFolder', () => {
  it('reads <label>/<file>, sorted, ignoring hidden and non-image files', () => {
    const dir = join(tmp, 'folder');
    writeImage(join(dir, 'tumour', 'b.png'));
    writeImage(join(dir, 'tumour', 'a.PNG'));
    writeImage(join(dir, 'normal', 'x.png'));
    writeImage(join(dir, 'normal', 'sub', 'y.png'));
    writeFileSync(join(dir, 'normal', 'notes.txt'), 'not an image');
    writeImage(join(dir, 'normal', '.hidden.png'));
    writeImage(join(dir, 'loose.png')); // not under a label folder
    const m = fromImageFolder(dir);
    assert.equal(m.kind, 'image-folder');
    assert.deepEqual(m.labels, ['normal', 'tumour']);
    assert.deepEqual(
      m.entries.map((e) => [e.path, e.label]),
      [['normal/sub/y.png', 'normal'], ['normal/x.png', 'normal'], ['tumour/a.PNG', 'tumour'], ['tumour/b.png', 'tumour']],
    );
    assert.equal(entryPath(m, m.entries[0]!), join(dir, 'normal', 'sub', 'y.png'));
    assert.equal(loadManifest(dir).kind, 'image-folder');
  });

  it('a folder with no images is a ManifestError naming it', () => {
    const dir = join(tmp, 'empty');
    mkdirSync(join(dir, 'label'), { recursive: true });
    assert.throws(() => fromImageFolder(dir), (e: unknown) => e instanceof ManifestError && e.file === dir && /no images/.test(e.message));
  });
});

describe('fromCsv', () => {
  const dir = join(tmp, 'csv');
  writeImage(join(dir, 'img', 'p1.png'));
  writeImage(join(dir, 'img', 'p2.png'));
  writeImage(join(dir, 'img', 'p3.png'));
  const csv = join(dir, 'cases.csv');
  writeFileSync(
    csv,
    [
      'path,diagnosis,report,patient_id,site',
      'img/p1.png,effusion,"Small left effusion, no pneumothorax.",P1,A',
      'img/p2.png,normal,"Lungs clear.\nHeart size normal; ""no acute findings"".",P1,B',
      'img/p3.png,,,P2,A',
      '',
    ].join('\n'),
  );

  it('reads quoted report text, patient ids and extra columns', () => {
    const m = fromCsv(csv, { labelColumn: 'diagnosis' });
    assert.equal(m.kind, 'csv');
    assert.equal(m.root, dir);
    assert.deepEqual(m.labels, ['effusion', 'normal']);
    assert.deepEqual(m.entries, [
      { path: 'img/p1.png', label: 'effusion', report: 'Small left effusion, no pneumothorax.', patientId: 'P1', meta: { site: 'A' } },
      { path: 'img/p2.png', label: 'normal', report: 'Lungs clear.\nHeart size normal; "no acute findings".', patientId: 'P1', meta: { site: 'B' } },
      { path: 'img/p3.png', patientId: 'P2', meta: { site: 'A' } },
    ]);
  });

  it('a missing column names the column and the file', () => {
    // Optional columns under their default names may be absent: no labels then.
    assert.deepEqual(fromCsv(csv).labels, []);
    assert.throws(
      () => fromCsv(csv, { pathColumn: 'filename' }),
      (e: unknown) => e instanceof ManifestError && e.file === csv && e.key === 'filename' && e.message.includes("missing column 'filename'") && e.message.includes('cases.csv'),
    );
    assert.throws(() => fromCsv(csv, { labelColumn: 'finding' }), (e: unknown) => e instanceof ManifestError && e.key === 'finding');
  });

  it('a listed file that does not exist is named, with its line', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'path,label,report\nimg/p1.png,a,"two\nlines"\nimg/ghost.png,b,\n');
    assert.throws(() => fromCsv(bad), (e: unknown) => e instanceof ManifestError && e.file === bad && e.line === 4 && e.key === 'img/ghost.png' && /ghost\.png/.test(e.message));
    assert.equal(fromCsv(bad, { checkFiles: false }).entries.length, 2);
  });

  it('rows with the wrong field count and empty paths are named by line', () => {
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, 'path,label\nimg/p1.png,a\nimg/p2.png,b,extra\n');
    assert.throws(() => fromCsv(ragged), (e: unknown) => e instanceof ManifestError && e.line === 3 && /3 fields/.test(e.message));
    const empty = join(dir, 'empty-path.csv');
    writeFileSync(empty, 'path,label\n,a\n');
    assert.throws(() => fromCsv(empty), (e: unknown) => e instanceof ManifestError && e.line === 2 && /empty path/.test(e.message));
  });

  it('loadManifest reads a CSV file, or a folder holding manifest.csv', () => {
    assert.equal(loadManifest(csv).entries.length, 3);
    const folder = join(tmp, 'with-manifest');
    writeImage(join(folder, 'a.png'));
    writeFileSync(join(folder, 'manifest.csv'), 'path,label\na.png,x\n');
    const m = loadManifest(folder);
    assert.equal(m.kind, 'csv');
    assert.deepEqual(m.entries, [{ path: 'a.png', label: 'x' }]);
    assert.throws(() => loadManifest(join(tmp, 'nope')), ManifestError);
  });
});

describe('shared data sets', () => {
  const skip = !existsSync(SHARED) && `${SHARED} absent`;

  it('pbc64: 15,041 images in 8 classes with the README counts', { skip }, () => {
    const m = loadManifest(join(SHARED, 'pbc64'));
    assert.equal(m.kind, 'pbc64');
    assert.equal(m.entries.length, 15041);
    assert.deepEqual(counts(m.entries.map((e) => e.label)), {
      basophil: 1076,
      eosinophil: 2751,
      erythroblast: 1357,
      ig: 2568,
      lymphocyte: 1074,
      monocyte: 1233,
      neutrophil: 2910,
      platelet: 2072,
    });
    assert.deepEqual(m.labels, ['basophil', 'eosinophil', 'erythroblast', 'ig', 'lymphocyte', 'monocyte', 'neutrophil', 'platelet']);
    assert.ok(m.entries.every((e) => e.meta?.fine_label && e.path.startsWith(`${e.label}/`)));
    assert.equal(loadManifest(join(SHARED, 'pbc64', 'labels.csv')).kind, 'pbc64');
  });

  it('covid-cxr64: 575 rows, finding as label, clinical notes as report', { skip }, () => {
    const m = fromSharedDataset(join(SHARED, 'covid-cxr64'));
    assert.equal(m.kind, 'covid-cxr64');
    assert.equal(m.entries.length, 575);
    assert.equal(m.labels.length, 16);
    assert.equal(m.entries.filter((e) => e.label === 'COVID-19').length, 439);
    const withReport = m.entries.filter((e) => e.report !== undefined);
    assert.equal(withReport.length, 464); // 111 rows have no notes
    assert.ok(withReport[0]!.report!.includes('Ho Chi Minh City')); // quoted, with commas
    assert.ok(m.entries.every((e) => ['PA', 'AP', 'AP Supine', 'L'].includes(e.meta!.view!)));
    assert.equal(m.entries[0]!.meta!.clinical_notes, undefined);
  });

  it('nih-cxr64: 1,000 images, 500 / 500, patient id from the file name', { skip }, () => {
    const m = loadManifest(join(SHARED, 'nih-cxr64'));
    assert.equal(m.kind, 'nih-cxr64');
    assert.equal(m.entries.length, 1000);
    assert.deepEqual(counts(m.entries.map((e) => e.label)), { abnormal: 500, normal: 500 });
    assert.ok(m.entries.every((e) => e.patientId === basename(e.path).slice(0, 8) && /^\d{8}$/.test(e.patientId)));
    const patients = new Set(m.entries.map((e) => e.patientId));
    assert.ok(patients.size < 1000 && patients.size > 100, `${patients.size} patients`);
  });

  it('a folder that is no shared data set is a ManifestError', () => {
    assert.throws(() => fromSharedDataset(join(tmp, 'folder')), (e: unknown) => e instanceof ManifestError && /not a known shared data set/.test(e.message));
  });
});
