// The addon in worker threads: the HTTP server runs training and sampling off its event
// loop (DESIGN §3), so each worker loads its own instance of the addon and computes there.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { engineInfo, randn, tidy } from '../../src/engine/index.js';

const fixture = join(import.meta.dirname, 'fixtures', 'engine-worker.mjs');

interface Reply {
  kind: string;
  [k: string]: unknown;
}

async function start(): Promise<{ worker: Worker; ask: (msg: object) => Promise<Reply> }> {
  const worker = new Worker(fixture);
  const ready = (await once(worker, 'message')) as [Reply];
  assert.equal(ready[0].kind, 'ready');
  assert.equal(ready[0].version, engineInfo().version);
  const ask = async (msg: object) => {
    worker.postMessage(msg);
    const [reply] = (await once(worker, 'message')) as [Reply];
    if (reply.kind === 'error') throw new Error(`worker: ${reply.message}`);
    return reply;
  };
  return { worker, ask };
}

test('the addon loads and computes in a worker thread, in several at once', async () => {
  const [w1, w2] = await Promise.all([start(), start()]);
  const [r1, r2] = await Promise.all([
    w1.ask({ kind: 'matmul', a: [1, 2, 3, 4], aShape: [2, 2], b: [5, 6, 7, 8], bShape: [2, 2] }),
    w2.ask({ kind: 'matmul', a: [1, 0, 0, 1], aShape: [2, 2], b: [9, 8, 7, 6], bShape: [2, 2] }),
  ]);
  assert.deepEqual(r1.out, [19, 22, 43, 50]);
  assert.deepEqual(r2.out, [9, 8, 7, 6]);
  await Promise.all([w1.worker.terminate(), w2.worker.terminate()]);
});

test('training in a worker leaves the main event loop responsive', async () => {
  const { worker, ask } = await start();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const t0 = performance.now();
  const r = await ask({ kind: 'train', ms: 600 });
  const elapsed = performance.now() - t0;
  clearInterval(timer);
  assert.ok((r.steps as number) > 5, `trained ${r.steps} steps`);
  assert.ok((r.last as number) < (r.first as number), 'the loss fell');
  // A 10 ms timer on a free event loop fires ~60 times in 600 ms; a blocked one at most once.
  assert.ok(ticks >= 5, `only ${ticks} timer ticks in ${elapsed.toFixed(0)} ms: the event loop was blocked`);
  await worker.terminate();
});

test('terminating a worker that holds tensors frees them without disturbing the main thread', async () => {
  const { worker, ask } = await start();
  await ask({ kind: 'leak' });
  assert.equal(await worker.terminate(), 1);
  // The main thread's addon still works after the worker's instance went away.
  assert.equal(tidy(() => randn([3, 3]).matmul(randn([3, 3])).shape.join('x')), '3x3');
});
