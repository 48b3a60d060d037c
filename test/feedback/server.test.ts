// The HTTP server over real sockets: the rating flow, blinding (nothing a rater receives
// names a model, run or file), isolation between raters, admin-only routes, and input
// errors that name the field at fault.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import type { NextResponse } from '../../src/feedback/api-types.js';
import { createStudyFromSamples } from '../../src/feedback/index.js';
import { FILE_MARKER, SECRET_MODEL, SECRET_RUN } from './fixtures.js';
import { http, serveStudy, type Served } from './server-fixture.js';

const SECRETS = [SECRET_MODEL, SECRET_RUN, FILE_MARKER, 'samples/', '.png', 'checkpoint', 'provenance', 'synthetic', '"source"', 'pbc64', '"real"'];

function assertBlind(what: string, body: string | Buffer) {
  const s = Buffer.isBuffer(body) ? body.toString('latin1') : body;
  for (const secret of SECRETS) assert.ok(!s.includes(secret), `${what} leaks '${secret}'`);
}

describe('rater API', () => {
  let s: Served;
  let otherStudyId: number;
  before(async () => {
    s = await serveStudy({ mode: 'binary', raters: ['ann', 'bob', 'cyd'], ratersPerItem: 2, goldRate: 0.2 }, { perCondition: 6, goldPerCondition: 2 });
    // A second study that only dan is assigned to.
    otherStudyId = createStudyFromSamples(s.store, { name: 'Study B', mode: 'pairwise', dir: s.ws.samplesDir, raters: ['dan'], ratersPerItem: 1 }).study.id;
  });
  after(() => s.close());

  test('rating flow: next item, image, answer, retry, undo, progress', async () => {
    const token = s.token('ann');
    const studies = await http(`${s.url}/api/rater/studies`, { token });
    assert.equal(studies.status, 200);
    assert.deepEqual(
      (studies.json.studies as Array<{ name: string }>).map((x) => x.name),
      ['Study A'],
    );
    const next = (await http(`${s.url}/api/rater/studies/1/next`, { token })).json as unknown as NextResponse;
    assert.ok(next.item);
    const total = next.progress.total;
    assert.equal(next.progress.done, 0);
    assert.equal(next.lastAnswered, null);
    assert.equal(next.item.checklist.length, 7, 'default blood-cell checklist');
    assert.ok('single' in next.item.images);
    const img = await fetch(s.url + next.item.images.single, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/png');
    const png = PNG.sync.read(Buffer.from(await img.arrayBuffer()));
    assert.equal(png.width, 16);

    const body = { assignmentId: next.item.assignmentId, idempotencyKey: 'first-answer-key', choice: 'implausible', failedCriteria: ['granules'], comment: 'odd granules', timeMs: 2100 };
    const r1 = await http(`${s.url}/api/rater/answers`, { token, json: body });
    assert.equal(r1.status, 201);
    assert.equal(r1.json.duplicate, false);
    const r2 = await http(`${s.url}/api/rater/answers`, { token, json: body });
    assert.equal(r2.status, 200, 'browser retry with the same key');
    assert.equal(r2.json.duplicate, true);
    const conflicting = await http(`${s.url}/api/rater/answers`, { token, json: { ...body, choice: 'plausible', failedCriteria: [] } });
    assert.equal(conflicting.status, 409);
    assert.match(conflicting.json.message!, /idempotency key 'first-answer-key'/);

    const after1 = (await http(`${s.url}/api/rater/studies/1/next`, { token })).json as unknown as NextResponse;
    assert.equal(after1.progress.done, 1);
    assert.equal(after1.lastAnswered, next.item.assignmentId);
    assert.notEqual(after1.item!.assignmentId, next.item.assignmentId);

    const undo = await http(`${s.url}/api/rater/undo`, { token, json: { assignmentId: next.item.assignmentId } });
    assert.equal(undo.status, 200);
    assert.equal(undo.json.retracted, true);
    const undoAgain = await http(`${s.url}/api/rater/undo`, { token, json: { assignmentId: next.item.assignmentId } });
    assert.equal(undoAgain.json.retracted, false, 'undo is idempotent');
    const back = (await http(`${s.url}/api/rater/studies/1/next`, { token })).json as unknown as NextResponse;
    assert.equal(back.item!.assignmentId, next.item.assignmentId, 'the undone item comes back');
    assert.deepEqual(back.item!.previous, { choice: 'implausible', failedCriteria: ['granules'], comment: 'odd granules' });
    assert.equal(back.progress.done, 0);
    assert.equal(back.progress.total, total);
    const mine = await http(`${s.url}/api/rater/studies/1/answers`, { token });
    assert.deepEqual(mine.json.answers, []);
    assert.equal(s.store.listAnswers(1, { includeRetracted: true }).length, 1, 'the retracted answer is kept');
  });

  test('blinding: nothing a rater receives names a model, run, file or real/synthetic', async () => {
    const token = s.token('bob');
    const seen: Array<[string, string | Buffer]> = [];
    const page = await http(`${s.url}/r/${token}/studies/1`);
    assert.equal(page.status, 200);
    seen.push(['rating page', page.text]);
    seen.push(['rater.js', (await http(`${s.url}/assets/rater.js`)).text]);
    seen.push(['studies', (await http(`${s.url}/api/rater/studies`, { token })).text]);
    let n = 0;
    for (;;) {
      const r = await http(`${s.url}/api/rater/studies/1/next`, { token });
      seen.push(['next', r.text]);
      const next = r.json as unknown as NextResponse;
      if (!next.item) break;
      for (const url of Object.values(next.item.images)) {
        assert.match(url, /^\/api\/rater\/images\/[A-Za-z0-9_-]{16}\/(single|left|right)$/, 'opaque image URL');
        const img = await fetch(s.url + url, { headers: { authorization: `Bearer ${token}` } });
        seen.push([`image ${url}`, Buffer.from(await img.arrayBuffer())]);
      }
      const a = await http(`${s.url}/api/rater/answers`, { token, json: { assignmentId: next.item.assignmentId, idempotencyKey: `bob-key-${n++}`, choice: 'plausible' } });
      assert.equal(a.status, 201);
      seen.push(['answer', a.text]);
    }
    seen.push(['own answers', (await http(`${s.url}/api/rater/studies/1/answers`, { token })).text]);
    for (const [what, body] of seen) assertBlind(what, body);
    // The gold items were among them, indistinguishable.
    const bob = s.store.findRater('bob')!;
    assert.ok(s.store.listAnswers(1).some((a) => a.raterId === bob.id && a.isGold));
  });

  test("a rater cannot reach another rater's answers or assignments, other studies, or admin routes", async () => {
    const ann = s.token('ann');
    const dan = s.token('dan');
    const annNext = (await http(`${s.url}/api/rater/studies/1/next`, { token: ann })).json as unknown as NextResponse;
    const annAssignment = annNext.item!.assignmentId;
    // dan is not in study 1, ann not in study B.
    assert.equal((await http(`${s.url}/api/rater/studies/1/next`, { token: dan })).status, 404);
    assert.equal((await http(`${s.url}/api/rater/studies/1/answers`, { token: dan })).status, 404);
    assert.equal((await http(`${s.url}/api/rater/studies/${otherStudyId}/next`, { token: ann })).status, 404);
    assert.equal((await http(`${s.url}/r/${ann}/studies/${otherStudyId}`)).status, 404);
    // Another rater's assignment: image, answer and undo all read as not found.
    assert.equal((await http(`${s.url}/api/rater/images/${annAssignment}/single`, { token: dan })).status, 404);
    const steal = await http(`${s.url}/api/rater/answers`, { token: dan, json: { assignmentId: annAssignment, idempotencyKey: 'dan-key-1', choice: 'plausible' } });
    assert.equal(steal.status, 404);
    assert.equal((await http(`${s.url}/api/rater/undo`, { token: dan, json: { assignmentId: annAssignment } })).status, 404);
    // bob's own answers list never includes ann's.
    const bobAnswers = (await http(`${s.url}/api/rater/studies/1/answers`, { token: s.token('bob') })).json.answers as Array<{ assignmentId: string }>;
    const annIds = new Set(s.store.listAssignments(1, s.store.findRater('ann')!.id).map((a) => a.publicId));
    assert.ok(bobAnswers.every((a) => !annIds.has(a.assignmentId)));
    // Admin routes: rater token → 403, none → 401, admin HTML with a rater token → 403.
    for (const path of ['/api/admin/studies', '/api/admin/studies/1', '/api/admin/studies/1/export.csv', '/api/admin/raters']) {
      assert.equal((await http(s.url + path, { token: ann })).status, 403, path);
      assert.equal((await http(s.url + path)).status, 401, path);
    }
    assert.equal((await http(`${s.url}/admin/${ann}`)).status, 403);
    assert.equal((await http(`${s.url}/admin/${ann}/studies/1/export.jsonl`)).status, 403);
    // The admin token cannot rate.
    assert.equal((await http(`${s.url}/api/rater/studies`, { token: s.adminToken })).status, 403);
    // Unknown tokens.
    assert.equal((await http(`${s.url}/api/rater/studies`, { token: 'x'.repeat(32) })).status, 401);
    assert.equal((await http(`${s.url}/r/${'y'.repeat(32)}`)).status, 401);
  });

  test('malformed input: 4xx JSON naming the problem', async () => {
    const token = s.token('cyd');
    const next = (await http(`${s.url}/api/rater/studies/1/next`, { token })).json as unknown as NextResponse;
    const ok = { assignmentId: next.item!.assignmentId, idempotencyKey: 'cyd-key-0001', choice: 'implausible' };
    const cases: Array<[string, Parameters<typeof http>[1], number, RegExp]> = [
      ['missing choice', { token, json: { assignmentId: ok.assignmentId, idempotencyKey: ok.idempotencyKey } }, 400, /missing required property 'choice'/],
      ['bad choice', { token, json: { ...ok, choice: 'maybe' } }, 400, /body\.choice must be one of: plausible, implausible, left, right, tie/],
      ['unknown field', { token, json: { ...ok, colour: 'red' } }, 400, /unknown property 'colour'/],
      ['wrong type', { token, json: { ...ok, timeMs: 'soon' } }, 400, /body\.timeMs must be integer/],
      ['bad assignment id', { token, json: { ...ok, assignmentId: '../../etc/passwd' } }, 400, /body\.assignmentId must match pattern/],
      ['unknown criterion', { token, json: { ...ok, failedCriteria: ['wings'] } }, 400, /'wings' not in the checklist/],
      ['pairwise choice in binary study', { token, json: { ...ok, choice: 'left' } }, 400, /not valid in a binary study/],
      ['invalid JSON', { token, body: '{"choice": ', contentType: 'application/json' }, 400, /JSON/i],
      ['text body', { token, body: 'choice=plausible', contentType: 'text/plain' }, 400, /body must be object/],
      ['unsupported content type', { token, body: '<choice/>', contentType: 'application/xml' }, 415, /content-type/i],
      ['unknown assignment', { token, json: { ...ok, assignmentId: 'AAAAAAAAAAAAAAAA' } }, 404, /assignment 'AAAAAAAAAAAAAAAA' not found/],
    ];
    for (const [what, opts, status, message] of cases) {
      const r = await http(`${s.url}/api/rater/answers`, opts);
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.ok(r.json && typeof r.json.message === 'string', `${what}: JSON error body`);
      assert.match(r.json.message!, message, what);
      assert.equal(r.json.statusCode, status);
    }
    const badParam = await http(`${s.url}/api/rater/studies/abc/next`, { token });
    assert.equal(badParam.status, 400);
    assert.match(badParam.json.message!, /params\.studyId must be integer/);
    const side = await http(`${s.url}/api/rater/images/${ok.assignmentId}/top`, { token });
    assert.equal(side.status, 400);
    assert.match(side.json.message!, /params\.side must be one of: single, left, right/);
    const missing = await http(`${s.url}/api/nothing-here`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error, 'not_found');
    assert.equal(s.store.listAnswers(1).filter((a) => a.raterName === 'cyd').length, 0, 'nothing stored by bad requests');
  });

  test('security headers: CSP without inline script, no referrer, nosniff', async () => {
    const r = await fetch(`${s.url}/r/${s.token('ann')}/studies/1`);
    assert.match(r.headers.get('content-security-policy')!, /script-src 'self'/);
    assert.doesNotMatch(r.headers.get('content-security-policy')!, /unsafe-inline/);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    const html = await r.text();
    assert.doesNotMatch(html, /<script>(?!<\/script>)|style="/, 'no inline script or style');
  });
});

describe('admin API and pages', () => {
  let s: Served;
  before(async () => {
    s = await serveStudy({ mode: 'binary', raters: ['ann', 'bob'], ratersPerItem: 2, goldRate: 0.2 }, { perCondition: 3, goldPerCondition: 1 });
  });
  after(() => s.close());

  test('create a study by API; paths outside the workspace are refused', async () => {
    const token = s.adminToken;
    const rel = s.ws.samplesDir.slice(s.ws.dir.length + 1);
    const r = await http(`${s.url}/api/admin/studies`, { token, json: { name: 'Pairs', mode: 'pairwise', samplesDir: rel, raters: ['eve', 'ann'], ratersPerItem: 2 } });
    assert.equal(r.status, 201, r.text);
    const raters = r.json.raters as Array<{ name: string; link: string; created: boolean }>;
    assert.deepEqual(
      raters.map((x) => [x.name, x.created]),
      [
        ['eve', true],
        ['ann', false],
      ],
    );
    assert.match(raters[0]!.link, /^http:\/\/127\.0\.0\.1:\d+\/r\/[A-Za-z0-9_-]{32}$/);
    const outside = await http(`${s.url}/api/admin/studies`, { token, json: { name: 'X', mode: 'binary', samplesDir: '../../etc' } });
    assert.equal(outside.status, 400);
    assert.match(outside.json.message!, /samplesDir: '\.\.\/\.\.\/etc' is outside the workspace/);
    const both = await http(`${s.url}/api/admin/studies`, { token, json: { name: 'Y', mode: 'binary' } });
    assert.equal(both.status, 400);
    assert.match(both.json.message!, /exactly one of samplesDir/);
    const dup = await http(`${s.url}/api/admin/studies`, { token, json: { name: 'Pairs', mode: 'binary', samplesDir: rel } });
    assert.equal(dup.status, 409);
  });

  test('progress, gold accuracy, agreement and exports with provenance', async () => {
    // Both raters answer everything: ann says plausible to all, bob follows the truth.
    const truth = new Map(s.ws.images.map((im) => [im.name, im.plausible] as const));
    for (const name of ['ann', 'bob']) {
      const rater = s.store.findRater(name)!;
      for (const a of s.store.listAssignments(1, rater.id)) {
        const item = s.store.getItem(a.itemId);
        const file = s.store.getImage(item.imageIds[0]!).provenance.file as string;
        const ok = truth.get(file.replace(/\.png$/, ''))!;
        const choice = name === 'ann' || ok ? 'plausible' : 'implausible';
        s.store.recordAnswer({ raterId: rater.id, assignmentPublicId: a.publicId, idempotencyKey: `${name}-${a.publicId}`, choice, failedCriteria: choice === 'implausible' ? ['chromatin_pattern'] : [] });
      }
    }
    const report = (await http(`${s.url}/api/admin/studies/1`, { token: s.adminToken })).json as unknown as {
      raters: Array<{ name: string; done: number; total: number; gold: { accuracy: number } }>;
      agreement: { cohen: Array<{ kappa: number; n: number }>; fleiss: { kappa: number }; krippendorff: { alpha: number } };
      criteria: Array<{ criterion: { id: string }; failRate: number }>;
    };
    for (const r of report.raters) {
      assert.equal(r.done, r.total);
      assert.equal(r.gold.accuracy, 1);
    }
    // 6 items + 2 gold; ann: all plausible; bob: 2 implausible → κ = 0 (ann has no variance).
    assert.equal(report.agreement.cohen.length, 1);
    assert.equal(report.agreement.cohen[0]!.kappa, 0);
    assert.ok(report.agreement.krippendorff.alpha < 0.2);
    assert.ok(report.criteria.find((c) => c.criterion.id === 'chromatin_pattern')!.failRate > 0);

    const csv = await http(`${s.url}/api/admin/studies/1/export.csv`, { token: s.adminToken });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-disposition')!, /attachment; filename="Study_A\.csv"/);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines.length, 1 + s.store.listAnswers(1).length);
    assert.ok(lines[0]!.startsWith('answer_id,study,mode,rater'));
    assert.ok(csv.text.includes(SECRET_MODEL) && csv.text.includes(SECRET_RUN), 'admin export carries provenance');
    const jsonl = await http(`${s.url}/admin/${s.adminToken}/studies/1/export.jsonl`);
    const rows = jsonl.text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, lines.length - 1);
    assert.equal(rows[0].images[0].provenance.model, SECRET_MODEL);

    const page = await http(`${s.url}/admin/${s.adminToken}/studies/1`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Cohen&#39;s κ per rater pair|Cohen's κ per rater pair/);
    assert.match(page.text, /Fails: Chromatin pattern/);
    assert.match(page.text, /100\.0%/);
  });

  test('admin HTML: dashboard lists rater links; the form creates a study or re-renders with the error', async () => {
    const home = await http(`${s.url}/admin/${s.adminToken}`);
    assert.equal(home.status, 200);
    assert.ok(home.text.includes(`/r/${s.token('ann')}`));
    const rel = s.ws.samplesDir.slice(s.ws.dir.length + 1);
    const form = new URLSearchParams({ name: 'From form', mode: 'binary', samplesDir: rel, raters: 'fay, gus', ratersPerItem: '1', goldRate: '0.2', seed: '3', csv: '', imageDir: '', instructions: '' });
    const created = await http(`${s.url}/admin/${s.adminToken}/studies`, { body: form.toString(), contentType: 'application/x-www-form-urlencoded' });
    assert.equal(created.status, 303, created.text);
    assert.match(created.headers.get('location')!, /\/studies\/\d+$/);
    const study = s.store.findStudy('From form')!;
    assert.equal(study.ratersPerItem, 1);
    assert.equal(study.seed, 3);
    assert.deepEqual(s.store.studyRaters(study.id).map((r) => r.name), ['fay', 'gus']);
    const bad = new URLSearchParams({ name: 'Broken', mode: 'binary', samplesDir: 'no/such/folder' });
    const err = await http(`${s.url}/admin/${s.adminToken}/studies`, { body: bad.toString(), contentType: 'application/x-www-form-urlencoded' });
    assert.equal(err.status, 404);
    assert.match(err.text, /class="error-box"/);
    assert.match(err.text, /sample folder &#39;.*no\/such\/folder&#39; not found/);
    const close = await http(`${s.url}/admin/${s.adminToken}/studies/${study.id}/status`, { body: 'status=closed', contentType: 'application/x-www-form-urlencoded' });
    assert.equal(close.status, 303);
    assert.equal(s.store.getStudy(study.id).status, 'closed');
    // A closed study takes no answers.
    const fay = s.store.findRater('fay')!;
    const a = s.store.listAssignments(study.id, fay.id)[0]!;
    const r = await http(`${s.url}/api/rater/answers`, { token: s.token('fay'), json: { assignmentId: a.publicId, idempotencyKey: 'fay-key-0001', choice: 'plausible' } });
    assert.equal(r.status, 409);
    assert.match(r.json.message!, /closed/);
  });
});
