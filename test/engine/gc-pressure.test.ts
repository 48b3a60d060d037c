// Regression: tensors dropped without dispose() are freed by GC finalizers, which
// must not report external memory to V8 from inside the collector (V8 aborted the
// whole process with "Check failed: marking_done_" when they did).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');

test('dropping many large tensors to the garbage collector does not crash the process', () => {
  const script = `
    import { randn, liveTensorCount } from './src/engine/index.ts';
    let keepAlive = 0;
    for (let i = 0; i < 3000; i++) {
      const t = randn([256, 1024]); // 1 MiB each, never disposed
      const u = t.mul(2);           // and a second one per step
      keepAlive += u.shape[0];
    }
    console.log(JSON.stringify({ ok: keepAlive === 3000 * 256, live: liveTensorCount() }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, MEDLOOP_THREADS: '1' } });
  assert.equal(r.status, 0, `process died (signal ${r.signal}): ${r.stderr.slice(-800)}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.ok, true);
  // most of the 6000 dropped handles were collected along the way
  assert.ok(out.live < 6000, `live tensors ${out.live}`);
});
