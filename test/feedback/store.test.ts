// The SQLite store and study creation: schema guarantees (append-only audit, answers
// never deleted), idempotency, assignment planning, blinding-relevant storage, tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import {
  ConflictError,
  createStudyFromCsv,
  createStudyFromSamples,
  addRatersToStudy,
  FeedbackStore,
  InvalidInputError,
  migrate,
  readSampleFolder,
} from '../../src/feedback/index.js';
import { stripPngMetadata } from '../../src/feedback/images.js';
import { goldCount } from '../../src/feedback/studies/plan.js';
import { makeWorkspace, SECRET_MODEL, testPng } from './fixtures.js';

function withWorkspace(fn: (ws: ReturnType<typeof makeWorkspace>, store: FeedbackStore) => void, opts?: Parameters<typeof makeWorkspace>[0]) {
  const ws = makeWorkspace(opts);
  const store = FeedbackStore.openWorkspace(ws.dir);
  try {
    fn(ws, store);
  } finally {
    store.close();
    ws.cleanup();
  }
}

test('schema: WAL, foreign keys, namespaced migrations applied once and shared with other modules', () => {
  withWorkspace((ws, store) => {
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.db.pragma('foreign_keys', { simple: true }), 1);
    // Another module (e.g. the runs registry) keeps its own sequence in the same table.
    migrate(store.db, 'runs', [{ version: 1, name: 'runs', sql: 'CREATE TABLE runs (id TEXT PRIMARY KEY)' }]);
    store.close();
    const again = FeedbackStore.openWorkspace(ws.dir);
    const rows = again.db.prepare('SELECT module, version FROM schema_migrations ORDER BY module').all();
    assert.deepEqual(rows, [
      { module: 'feedback', version: 1 },
      { module: 'runs', version: 1 },
    ]);
    again.close();
    assert.ok(existsSync(join(ws.dir, 'medloop.db')));
    assert.equal(statSync(join(ws.dir, 'medloop.key')).mode & 0o777, 0o600, 'key file readable by the owner only');
  });
});

test('audit log is append-only and answers can only be retracted, never deleted or edited', () => {
  withWorkspace((ws, store) => {
    const { raters } = createStudyFromSamples(store, { name: 's', mode: 'binary', dir: ws.samplesDir, raters: ['ann'], ratersPerItem: 1 });
    const ann = raters[0]!.rater;
    const a = store.nextAssignment(1, ann.id)!;
    const { answer } = store.recordAnswer({ raterId: ann.id, assignmentPublicId: a.publicId, idempotencyKey: 'key-00000001', choice: 'plausible' });
    assert.throws(() => store.db.prepare('UPDATE audit_log SET actor = ?').run('x'), /append-only/);
    assert.throws(() => store.db.prepare('DELETE FROM audit_log').run(), /append-only/);
    assert.throws(() => store.db.prepare('DELETE FROM answers WHERE id = ?').run(answer.id), /never deleted/);
    assert.throws(() => store.db.prepare("UPDATE answers SET choice = 'implausible' WHERE id = ?").run(answer.id), /only be retracted/);
    const retracted = store.retract(ann.id, a.publicId);
    assert.ok(retracted?.retractedAt);
    assert.equal(store.retract(ann.id, a.publicId), null, 'a second undo of the same assignment is a no-op');
    assert.throws(() => store.db.prepare('UPDATE answers SET retracted_at = NULL WHERE id = ?').run(answer.id), /only be retracted/);
    const actions = store.auditLog().map((e) => e.action);
    assert.ok(actions.includes('answer.create') && actions.includes('answer.retract') && actions.includes('study.create'));
    const created = store.auditLog().find((e) => e.action === 'answer.create')!;
    assert.equal(created.actor, `rater:${ann.id}`);
    assert.equal(created.details.choice, 'plausible');
  });
});

test('idempotency: same key + same answer is returned once; same key + other answer, or a second live answer, conflicts', () => {
  withWorkspace((ws, store) => {
    const { raters } = createStudyFromSamples(store, { name: 's', mode: 'binary', dir: ws.samplesDir, raters: ['ann', 'bob'], ratersPerItem: 2 });
    const [ann, bob] = raters.map((r) => r.rater);
    const a = store.nextAssignment(1, ann!.id)!;
    const req = { raterId: ann!.id, assignmentPublicId: a.publicId, idempotencyKey: 'abcdefgh1', choice: 'implausible' as const, failedCriteria: ['granules', 'cell_size'] };
    const first = store.recordAnswer(req);
    const second = store.recordAnswer({ ...req, failedCriteria: ['cell_size', 'granules'] });
    assert.equal(first.duplicate, false);
    assert.equal(second.duplicate, true);
    assert.equal(second.answer.id, first.answer.id);
    assert.deepEqual(first.answer.failedCriteria, ['cell_size', 'granules']);
    assert.throws(() => store.recordAnswer({ ...req, choice: 'plausible', failedCriteria: [] }), ConflictError);
    assert.throws(() => store.recordAnswer({ ...req, idempotencyKey: 'abcdefgh2' }), /already answered/);
    // Keys are per rater: bob may use the same key string for his own answer.
    const b = store.nextAssignment(1, bob!.id)!;
    assert.equal(store.recordAnswer({ raterId: bob!.id, assignmentPublicId: b.publicId, idempotencyKey: 'abcdefgh1', choice: 'plausible' }).duplicate, false);
    // Another rater's assignment reads as not found.
    assert.throws(() => store.recordAnswer({ raterId: bob!.id, assignmentPublicId: a.publicId, idempotencyKey: 'zzzzzzzz9', choice: 'plausible' }), /not found/);
    // Undo then answer again with a fresh key.
    store.retract(ann!.id, a.publicId);
    assert.equal(store.recordAnswer({ ...req, idempotencyKey: 'abcdefgh3', choice: 'plausible', failedCriteria: [] }).duplicate, false);
    assert.deepEqual(store.db.prepare('SELECT COUNT(*) AS n FROM answers WHERE rater_id = ?').get(ann!.id), { n: 2 });
  });
});

test('answer validation: choices per mode and checklist criteria per condition', () => {
  withWorkspace((ws, store) => {
    const { raters } = createStudyFromSamples(store, {
      name: 's',
      mode: 'binary',
      dir: ws.samplesDir,
      raters: ['ann'],
      ratersPerItem: 1,
      checklists: { byCondition: { neutrophil: ['Lobation', 'Granules'] } },
    });
    const ann = raters[0]!.rater;
    const assignments = store.listAssignments(1, ann.id);
    const neut = assignments.find((a) => store.getItem(a.itemId).condition === 'neutrophil')!;
    const lymph = assignments.find((a) => store.getItem(a.itemId).condition === 'lymphocyte')!;
    const base = { raterId: ann.id, choice: 'implausible' as const };
    assert.throws(() => store.recordAnswer({ ...base, assignmentPublicId: neut.publicId, idempotencyKey: 'k0000001', failedCriteria: ['cell_size'] }), InvalidInputError);
    assert.equal(store.recordAnswer({ ...base, assignmentPublicId: neut.publicId, idempotencyKey: 'k0000002', failedCriteria: ['lobation'] }).duplicate, false);
    assert.equal(store.recordAnswer({ ...base, assignmentPublicId: lymph.publicId, idempotencyKey: 'k0000003', failedCriteria: ['cell_size'] }).duplicate, false);
    const other = assignments.find((a) => a.id !== neut.id && a.id !== lymph.id)!;
    assert.throws(() => store.recordAnswer({ raterId: ann.id, assignmentPublicId: other.publicId, idempotencyKey: 'k0000004', choice: 'left' }), /not valid in a binary study/);
  });
});

test('binary study from a sample folder: k raters per item, gold mixed at the rate, order per rater, deterministic by seed', () => {
  withWorkspace(
    (ws, store) => {
      const created = createStudyFromSamples(store, { name: 'b', mode: 'binary', dir: ws.samplesDir, raters: ['r1', 'r2', 'r3', 'r4', 'r5'], ratersPerItem: 3, goldRate: 0.2, seed: 7 });
      assert.equal(created.items, 20);
      assert.equal(created.goldItems, 4);
      const items = store.listItems(1);
      const assignments = store.listAssignments(1);
      for (const item of items.filter((i) => !i.isGold)) {
        const who = assignments.filter((a) => a.itemId === item.id).map((a) => a.raterId);
        assert.equal(who.length, 3, `item ${item.id} has 3 raters`);
        assert.equal(new Set(who).size, 3);
      }
      for (const r of created.raters) {
        const mine = assignments.filter((a) => a.raterId === r.rater.id);
        const gold = mine.filter((a) => items.find((i) => i.id === a.itemId)!.isGold).length;
        const regular = mine.length - gold;
        assert.equal(regular, 12, 'load balanced: 20 items × 3 / 5 raters');
        assert.equal(gold, goldCount(regular, 0.2, 4));
        assert.deepEqual(mine.map((a) => a.position).sort((x, y) => x - y), [...mine.keys()]);
      }
      // Orders differ between raters (randomised per rater).
      const orders = created.raters.map((r) => assignments.filter((a) => a.raterId === r.rater.id).map((a) => a.itemId).join(','));
      assert.equal(new Set(orders).size, 5);
      // Same seed, fresh database → same plan (public ids aside).
      const other = FeedbackStore.open({ dbPath: ':memory:', workspaceDir: ws.dir });
      createStudyFromSamples(other, { name: 'b', mode: 'binary', dir: ws.samplesDir, raters: ['r1', 'r2', 'r3', 'r4', 'r5'], ratersPerItem: 3, goldRate: 0.2, seed: 7 });
      const plan = (s: FeedbackStore) => s.listAssignments(1).map((a) => [a.raterId, a.itemId, a.position, a.swapped]);
      assert.deepEqual(plan(other), plan(store));
      other.close();
      // Images inside the workspace are stored by relative path; provenance kept for admins.
      const img = store.getImage(items[0]!.imageIds[0]!);
      assert.ok(img.path?.startsWith(ws.dir));
      assert.equal(img.provenance.model, SECRET_MODEL);
      assert.equal((store.db.prepare('SELECT COUNT(*) AS n FROM images WHERE png IS NOT NULL').get() as { n: number }).n, 0);
    },
    { perCondition: 10, goldPerCondition: 2 },
  );
});

test('pairwise study: same-condition pairs, sides randomised per assignment, gold pairs from plausible vs implausible gold', () => {
  withWorkspace(
    (ws, store) => {
      const created = createStudyFromSamples(store, { name: 'p', mode: 'pairwise', dir: ws.samplesDir, raters: ['r1', 'r2', 'r3'], ratersPerItem: 2, goldRate: 0.1, comparisonsPerImage: 2 });
      const items = store.listItems(1);
      for (const item of items) {
        assert.equal(item.imageIds.length, 2);
        const [a, b] = item.imageIds.map((id) => store.getImage(id));
        assert.equal(a!.condition, item.condition);
        assert.equal(b!.condition, item.condition);
      }
      assert.ok(created.items >= 10 && created.items <= 16, `pairs: ${created.items}`);
      assert.equal(created.goldItems, 2);
      const gold = items.filter((i) => i.isGold);
      for (const g of gold) {
        assert.equal(g.goldAnswer, 'a');
        assert.equal(store.getImage(g.imageIds[0]!).source, 'real');
      }
      const swaps = store.listAssignments(1).map((a) => a.swapped);
      assert.ok(swaps.some((s) => s) && swaps.some((s) => !s), 'both sides used');
    },
    { perCondition: 8, goldPerCondition: 1, implausibleGold: true },
  );
});

test('adding raters later gives them the items still short of k, plus gold', () => {
  withWorkspace(
    (ws, store) => {
      createStudyFromSamples(store, { name: 'b', mode: 'binary', dir: ws.samplesDir, raters: [], ratersPerItem: 2, goldRate: 0.25 });
      assert.equal(store.listAssignments(1).length, 0);
      const links = addRatersToStudy(store, 1, ['s1', 's2', 's3', 's4'], { simulated: true });
      assert.equal(links.length, 4);
      assert.ok(links.every((l) => l.rater.simulated && l.created));
      const regular = store.listAssignments(1).filter((a) => !store.getItem(a.itemId).isGold);
      assert.equal(regular.length, 12 * 2);
      // Adding more raters now: everything already has k = 2, so a new rater gets nothing to rate.
      addRatersToStudy(store, 1, ['s5']);
      assert.equal(store.listAssignments(1, store.findRater('s5')!.id).length, 0);
      // Re-adding existing raters keeps their queue.
      const before = store.listAssignments(1).length;
      addRatersToStudy(store, 1, ['s1']);
      assert.equal(store.listAssignments(1).length, before);
    },
    { perCondition: 6, goldPerCondition: 1 },
  );
});

test('listAnswers joins everything reward training needs: condition, image path + provenance, rater, gold flag and correctness', () => {
  withWorkspace(
    (ws, store) => {
      const { raters } = createStudyFromSamples(store, { name: 'b', mode: 'binary', dir: ws.samplesDir, raters: ['ann'], ratersPerItem: 1, goldRate: 0.3 });
      const ann = raters[0]!.rater;
      let k = 0;
      for (const a of store.listAssignments(1, ann.id)) {
        const item = store.getItem(a.itemId);
        store.recordAnswer({ raterId: ann.id, assignmentPublicId: a.publicId, idempotencyKey: `key-${k++}-abcdef`, choice: item.isGold ? 'plausible' : 'implausible', failedCriteria: item.isGold ? [] : ['granules'], timeMs: 1500 });
      }
      const answers = store.listAnswers(1);
      assert.equal(answers.length, store.listAssignments(1, ann.id).length);
      const gold = answers.filter((a) => a.isGold);
      assert.ok(gold.length > 0);
      assert.ok(gold.every((a) => a.correct === true && a.goldAnswer === 'plausible'));
      const reg = answers.find((a) => !a.isGold)!;
      assert.equal(reg.correct, null);
      assert.equal(reg.raterName, 'ann');
      assert.deepEqual(reg.failedCriteria, ['granules']);
      assert.equal(reg.images.length, 1);
      assert.ok(reg.images[0]!.path && existsSync(reg.images[0]!.path));
      assert.equal(reg.images[0]!.provenance.model, SECRET_MODEL);
      assert.equal(typeof reg.images[0]!.provenance.checkpointStep, 'number');
      const raster = store.imageRaster(reg.images[0]!.id);
      assert.deepEqual([raster.width, raster.height, raster.channels], [16, 16, 3]);
      const mean = raster.data.reduce((s, v) => s + v, 0) / raster.data.length;
      assert.ok(Math.abs(mean - 0.5) < 0.02 || Math.abs(mean - 0.1) < 0.02, `fixture mean ${mean}`);
      assert.equal(store.listAnswers(1, { includeGold: false }).length, answers.length - gold.length);
    },
    { perCondition: 4, goldPerCondition: 2 },
  );
});

test('images from outside the workspace are copied into the database; changed workspace files are detected', () => {
  const outside = makeWorkspace({ perCondition: 3 });
  const wsDir = mkdtempSync(join(tmpdir(), 'medloop-ws-'));
  const store = FeedbackStore.openWorkspace(wsDir);
  try {
    createStudyFromSamples(store, { name: 'ext', mode: 'binary', dir: outside.samplesDir, raters: ['ann'], ratersPerItem: 1 });
    const blobs = (store.db.prepare('SELECT COUNT(*) AS n FROM images WHERE png IS NOT NULL AND path IS NULL').get() as { n: number }).n;
    assert.equal(blobs, 6);
    outside.cleanup();
    const img = store.listImages(1)[0]!;
    assert.equal(img.path, null);
    assert.ok(store.imageBytes(img.id).length > 0, 'served from the database after the source folder is gone');
  } finally {
    store.close();
    rmSync(wsDir, { recursive: true, force: true });
  }
  withWorkspace((ws, store2) => {
    createStudyFromSamples(store2, { name: 'in', mode: 'binary', dir: ws.samplesDir, raters: ['ann'], ratersPerItem: 1 });
    const img = store2.listImages(1)[0]!;
    writeFileSync(img.path!, testPng(0.3, 99));
    assert.throws(() => store2.imageBytes(img.id), /changed since the study was created/);
    unlinkSync(img.path!);
    assert.throws(() => store2.imageBytes(img.id), /missing/);
  });
});

test('CSV source: path,condition,gold_answer; errors name the file and line', () => {
  withWorkspace((ws, store) => {
    const rows = ws.images.map((im, i) => `${im.name}.png,${im.condition},${i % 4 === 0 ? 'plausible' : ''}`);
    writeFileSync(join(ws.samplesDir, 'list.csv'), `path,condition,gold_answer\n${rows.join('\n')}\n`);
    const created = createStudyFromCsv(store, { name: 'csv', mode: 'binary', csv: join(ws.samplesDir, 'list.csv'), raters: ['ann'], ratersPerItem: 1 });
    assert.equal(created.goldItems, 3);
    assert.equal(created.items, 9);
    assert.equal(created.study.goldRate, 0.1, 'default gold rate when gold exists');
    writeFileSync(join(ws.samplesDir, 'bad.csv'), 'path,condition,gold_answer\nnope.png,neutrophil,\n');
    assert.throws(() => createStudyFromCsv(store, { name: 'bad', mode: 'binary', csv: join(ws.samplesDir, 'bad.csv') }), /bad\.csv:2: image nope\.png not found/);
    writeFileSync(join(ws.samplesDir, 'bad2.csv'), 'file,label\nx.png,a\n');
    assert.throws(() => createStudyFromCsv(store, { name: 'bad2', mode: 'binary', csv: join(ws.samplesDir, 'bad2.csv') }), /missing column 'path'/);
  });
});

test('sample folder: a missing or invalid sidecar names the file', () => {
  const ws = makeWorkspace({ perCondition: 1 });
  try {
    writeFileSync(join(ws.samplesDir, 'orphan.png'), testPng(0.5, 1));
    assert.throws(() => readSampleFolder(ws.samplesDir), /orphan\.png: no sidecar orphan\.json/);
    writeFileSync(join(ws.samplesDir, 'orphan.json'), JSON.stringify({ model: 'x' }));
    assert.throws(() => readSampleFolder(ws.samplesDir), /orphan\.json: condition/);
  } finally {
    ws.cleanup();
  }
});

test('tokens: hashed in the database, re-derivable from the key file, revocable', () => {
  withWorkspace((ws, store) => {
    const { rater, token } = store.createRater('ann');
    const admin = store.ensureAdmin();
    assert.equal(store.authenticate(token)?.id, rater.id);
    assert.equal(store.authenticate(admin.token)?.role, 'admin');
    assert.equal(store.authenticate(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')), undefined);
    assert.equal(store.authenticate('short'), undefined);
    const stored = store.db.prepare('SELECT token_hash FROM raters WHERE id = ?').get(rater.id) as { token_hash: Buffer };
    assert.ok(!stored.token_hash.toString('latin1').includes(token), 'the token itself is not stored');
    store.close();
    const reopened = FeedbackStore.openWorkspace(ws.dir);
    assert.equal(reopened.tokenFor(rater.id), token, 'same link after a restart');
    assert.equal(reopened.ensureAdmin().token, admin.token);
    const fresh = reopened.reissueToken(rater.id);
    assert.notEqual(fresh, token);
    assert.equal(reopened.authenticate(token), undefined, 'old link revoked');
    assert.equal(reopened.authenticate(fresh)?.id, rater.id);
    assert.throws(() => reopened.createRater('ann'), ConflictError);
    assert.throws(() => reopened.createRater('<script>'), InvalidInputError);
    reopened.close();
  });
});

test('PNG metadata chunks are stripped, pixels untouched', () => {
  const png = testPng(0.5, 3);
  assert.ok(png.includes(Buffer.from(SECRET_MODEL)));
  const clean = stripPngMetadata(png);
  assert.ok(!clean.includes(Buffer.from(SECRET_MODEL)));
  assert.ok(!clean.includes(Buffer.from('tEXt')));
  assert.deepEqual(PNG.sync.read(clean).data, PNG.sync.read(png).data);
});
