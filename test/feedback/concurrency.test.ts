// 50 raters answering in parallel over real HTTP, some sending the same request two or
// three times (same idempotency key, concurrently and later): every answer is stored
// exactly once and the counts match what was sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RaterClient } from '../../src/feedback/index.js';
import { seededRandom } from '../../src/feedback/random.js';
import { serveStudy } from './server-fixture.js';

test('50 parallel raters with retries: each answer stored exactly once', async () => {
  const raters = Array.from({ length: 50 }, (_, i) => `rater-${String(i + 1).padStart(2, '0')}`);
  const s = await serveStudy({ mode: 'binary', raters, ratersPerItem: 3, goldRate: 0.1, seed: 11 }, { conditions: ['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil'], perCondition: 25, goldPerCondition: 2 });
  try {
    const sent = new Map<string, Set<string>>(); // rater → distinct idempotency keys sent
    const statuses: number[] = [];
    let requests = 0;
    await Promise.all(
      raters.map(async (name, r) => {
        const client = new RaterClient(s.url, s.token(name));
        const random = seededRandom(1000 + r);
        const keys = new Set<string>();
        sent.set(name, keys);
        const later: Array<Parameters<RaterClient['answer']>[0]> = [];
        for (let n = 0; ; n++) {
          const next = await client.next(1);
          if (!next.item) break;
          const req = {
            assignmentId: next.item.assignmentId,
            idempotencyKey: `${name}-answer-${n}`,
            choice: random() < 0.5 ? ('plausible' as const) : ('implausible' as const),
            failedCriteria: [] as string[],
            timeMs: 1000,
          };
          keys.add(req.idempotencyKey);
          // 30%: the browser fires the same request twice at once; 20%: it retries later.
          const copies = random() < 0.3 ? 2 : 1;
          const res = await Promise.all(Array.from({ length: copies }, () => client.answer(req)));
          requests += copies;
          statuses.push(...res.map((x) => x.status));
          if (random() < 0.2) later.push(req);
        }
        for (const req of later) {
          const res = await client.answer(req);
          requests++;
          statuses.push(res.status);
          assert.equal(res.body.duplicate, true);
        }
      }),
    );
    const distinct = [...sent.values()].reduce((n, k) => n + k.size, 0);
    const stored = s.store.listAnswers(1, { includeRetracted: true });
    assert.equal(stored.length, distinct, 'one stored answer per distinct idempotency key');
    assert.equal(statuses.filter((x) => x === 201).length, distinct, 'exactly one 201 per key');
    assert.equal(statuses.filter((x) => x === 200).length, requests - distinct, 'every repeat answered 200 (duplicate)');
    assert.ok(requests > distinct, 'some requests were retries');
    for (const [name, keys] of sent) {
      const mine = stored.filter((a) => a.raterName === name);
      assert.deepEqual(new Set(mine.map((a) => a.idempotencyKey)), keys, `${name}: stored keys = sent keys`);
    }
    // Every assignment answered exactly once, and the audit log has one entry per answer.
    const assignments = s.store.listAssignments(1);
    assert.equal(assignments.length, distinct);
    assert.equal(new Set(stored.map((a) => a.assignmentId)).size, assignments.length);
    assert.equal(s.store.auditLog().filter((e) => e.action === 'answer.create').length, distinct);
    const progress = raters.map((n) => s.store.progress(1, s.store.findRater(n)!.id));
    assert.ok(progress.every((p) => p.done === p.total && p.total > 0));
  } finally {
    await s.close();
  }
});
