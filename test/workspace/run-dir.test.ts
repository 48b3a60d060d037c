import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RunNotFoundError, createRunDir, latestRunDir, listRunIds, resolveRunDir } from '../../src/workspace/run-dir.js';

test('run folders: created with config.json, found by id or path, missing ones list the available runs', () => {
  const ws = mkdtempSync(join(tmpdir(), 'medloop-ws-'));
  assert.throws(() => resolveRunDir(ws, 'gen-x'), /no run 'gen-x'.*has no runs yet/);
  const a = createRunDir(ws, 'gen', { lr: 1 }, new Date('2026-11-23T10:00:00Z'));
  const b = createRunDir(ws, 'gen', { lr: 2 }, new Date('2026-11-24T10:00:00Z'));
  assert.match(a.id, /^gen-20261123-[0-9a-f]{4}$/);
  assert.ok(existsSync(join(a.dir, 'checkpoints')) && existsSync(join(a.dir, 'samples')));
  assert.deepEqual(JSON.parse(readFileSync(join(a.dir, 'config.json'), 'utf8')).config, { lr: 1 });
  assert.deepEqual(listRunIds(ws), [a.id, b.id]);
  assert.equal(latestRunDir(ws, 'gen')!.id, b.id);
  assert.equal(resolveRunDir(ws, a.id).dir, a.dir);
  assert.equal(resolveRunDir('/nonexistent', a.dir).dir, a.dir, 'a run folder path works from anywhere');
  assert.throws(
    () => resolveRunDir(ws, 'gen-20990101-0000'),
    (e: unknown) => e instanceof RunNotFoundError && e.message.includes(a.id) && e.message.includes(b.id),
  );
  rmSync(ws, { recursive: true, force: true });
});
