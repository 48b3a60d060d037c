// Stratified, seeded, patient-grouped splits.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ManifestEntry } from '../../src/data/manifest.js';
import { loadManifest } from '../../src/data/manifest.js';
import { seededRandom, shuffled } from '../../src/data/random.js';
import { SPLIT_NAMES, type Split, splitCounts, splitManifest, stratifiedSplit } from '../../src/data/split.js';

const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');

function entries(sizes: Record<string, number>): ManifestEntry[] {
  return Object.entries(sizes).flatMap(([label, n]) => Array.from({ length: n }, (_, i) => ({ path: `${label}/${i}.png`, label })));
}

function paths(s: Split<ManifestEntry>): Record<string, string[]> {
  return Object.fromEntries(SPLIT_NAMES.map((k) => [k, s[k].map((e) => e.path).sort()]));
}

/** Every class's count in every split within ±1 item of n_class × fraction. */
function assertStratified(all: ManifestEntry[], s: Split<ManifestEntry>, fractions: Record<string, number>): void {
  const labels = [...new Set(all.map((e) => e.label))];
  for (const label of labels) {
    const n = all.filter((e) => e.label === label).length;
    for (const name of SPLIT_NAMES) {
      const got = s[name].filter((e) => e.label === label).length;
      assert.ok(Math.abs(got - n * fractions[name]!) <= 1, `${label} in ${name}: ${got} vs ${n * fractions[name]!}`);
    }
  }
}

function assertPartition(all: ManifestEntry[], s: Split<ManifestEntry>): void {
  const got = SPLIT_NAMES.flatMap((k) => s[k]);
  assert.equal(got.length, all.length);
  assert.equal(new Set(got).size, all.length);
}

describe('stratified split', () => {
  const all = entries({ a: 103, b: 57, c: 11, d: 2 });
  const fractions = { train: 0.7, val: 0.15, test: 0.15 };

  it('is a partition, stratified within ±1 item per class and split', () => {
    const s = splitManifest(all, { seed: 1, fractions });
    assertPartition(all, s);
    assertStratified(all, s, fractions);
  });

  it('is deterministic for a seed, independent of input order, and changes with the seed', () => {
    const a = paths(splitManifest(all, { seed: 7, fractions }));
    assert.deepEqual(paths(splitManifest(shuffled(all, seededRandom(99)), { seed: 7, fractions })), a);
    assert.notDeepEqual(paths(splitManifest(all, { seed: 8, fractions })), a);
  });

  it('adding a class leaves the other classes’ splits unchanged', () => {
    const a = splitManifest(all, { seed: 3 });
    const b = splitManifest([...all, ...entries({ z: 40 })], { seed: 3 });
    for (const name of SPLIT_NAMES) {
      assert.deepEqual(
        b[name].filter((e) => e.label !== 'z').map((e) => e.path).sort(),
        a[name].map((e) => e.path).sort(),
      );
    }
  });

  it('fractions: default 80/10/10, normalised, zero allowed, invalid rejected', () => {
    assert.deepEqual(splitCounts(100, { train: 0.8, val: 0.1, test: 0.1 }), { train: 80, val: 10, test: 10 });
    const s = splitManifest(all, { seed: 1, fractions: { train: 3, val: 0, test: 1 } });
    assert.equal(s.val.length, 0);
    assertStratified(all, s, { train: 0.75, val: 0, test: 0.25 });
    assert.throws(() => splitManifest(all, { seed: 1, fractions: { train: -1 } }), RangeError);
    assert.throws(() => splitManifest(all, { seed: 1, fractions: { train: 0, val: 0, test: 0 } }), RangeError);
  });
});

describe('grouped split', () => {
  // 60 patients with 1–5 images each; a patient's label mostly fixed, some mixed.
  const rand = seededRandom(5);
  const all: ManifestEntry[] = [];
  for (let p = 0; p < 60; p++) {
    const n = 1 + Math.floor(rand() * 5);
    for (let i = 0; i < n; i++) all.push({ path: `p${p}_${i}.png`, label: p % 3 === 0 ? 'abnormal' : i === 4 ? 'abnormal' : 'normal', patientId: `P${p}` });
  }

  it('never puts one patient in two splits, and stays near the fractions', () => {
    const s = splitManifest(all, { seed: 11, fractions: { train: 0.6, val: 0.2, test: 0.2 } });
    assertPartition(all, s);
    const home = new Map<string, string>();
    for (const name of SPLIT_NAMES) {
      for (const e of s[name]) {
        assert.ok((home.get(e.patientId!) ?? name) === name, `patient ${e.patientId} in ${home.get(e.patientId!)} and ${name}`);
        home.set(e.patientId!, name);
      }
    }
    for (const name of SPLIT_NAMES) assert.ok(Math.abs(s[name].length / all.length - { train: 0.6, val: 0.2, test: 0.2 }[name]) < 0.06, `${name}: ${s[name].length}/${all.length}`);
  });

  it('byPatient: false splits images independently', () => {
    const s = splitManifest(all, { seed: 11, byPatient: false, fractions: { train: 0.6, val: 0.2, test: 0.2 } });
    assertStratified(all, s, { train: 0.6, val: 0.2, test: 0.2 });
  });

  it('generic items with a custom group function', () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ id: i, cls: i % 2 ? 'x' : 'y', site: `s${i % 10}` }));
    const s = stratifiedSplit(items, { seed: 2, label: (t) => t.cls, group: (t) => t.site, key: (t) => String(t.id) });
    const sites = SPLIT_NAMES.map((n) => new Set(s[n].map((t) => t.site)));
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) for (const site of sites[i]!) assert.ok(!sites[j]!.has(site));
  });
});

describe('splits of the shared data sets', () => {
  const skip = !existsSync(SHARED) && `${SHARED} absent`;

  it('pbc64: every class within ±1 item of 80/10/10', { skip }, () => {
    const m = loadManifest(join(SHARED, 'pbc64'), { checkFiles: false });
    const s = splitManifest(m.entries, { seed: 0 });
    assertPartition(m.entries, s);
    assertStratified(m.entries, s, { train: 0.8, val: 0.1, test: 0.1 });
  });

  it('nih-cxr64: no patient in two splits; sizes and classes near 70/15/15', { skip }, () => {
    const m = loadManifest(join(SHARED, 'nih-cxr64'), { checkFiles: false });
    const fractions = { train: 0.7, val: 0.15, test: 0.15 };
    const s = splitManifest(m.entries, { seed: 0, fractions });
    assertPartition(m.entries, s);
    const patients = SPLIT_NAMES.map((n) => new Set(s[n].map((e) => e.patientId)));
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) for (const p of patients[i]!) assert.ok(!patients[j]!.has(p), `patient ${p} in two splits`);
    for (const name of SPLIT_NAMES) {
      assert.ok(Math.abs(s[name].length - 1000 * fractions[name]) <= 15, `${name}: ${s[name].length}`);
      const abnormal = s[name].filter((e) => e.label === 'abnormal').length / s[name].length;
      assert.ok(Math.abs(abnormal - 0.5) < 0.05, `${name}: abnormal fraction ${abnormal}`);
    }
  });

  it('covid-cxr64: duplicate rows of one file stay in one split', { skip }, () => {
    const m = loadManifest(join(SHARED, 'covid-cxr64'), { checkFiles: false });
    const s = splitManifest(m.entries, { seed: 0 });
    assertPartition(m.entries, s);
    const sets = SPLIT_NAMES.map((n) => new Set(s[n].map((e) => e.path)));
    const total = sets.reduce((a, b) => a + b.size, 0);
    assert.equal(total, new Set(m.entries.map((e) => e.path)).size);
  });
});
