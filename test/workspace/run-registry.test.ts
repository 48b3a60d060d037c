import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UnknownRunError } from '../../src/workspace/run-registry.js';
import { initWorkspace, openWorkspace } from '../../src/workspace/workspace.js';

test('runs are registered, finished and traced through their parents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-runs-'));
  const ws = initWorkspace(dir);
  ws.runs.register({ id: 'pre-1', kind: 'pretrain', config: { steps: 10 }, data: 'phantom:cells', dir: 'runs/pre-1' });
  ws.runs.register({ id: 'rm-1', kind: 'reward', parentId: 'pre-1', config: {}, dir: 'runs/rm-1' });
  ws.runs.register({ id: 'al-1', kind: 'align', parentId: 'pre-1', config: { rewards: 'plausibility:1' }, rewardModels: ['rm-1'], dir: 'runs/al-1' });
  ws.runs.finish('pre-1', 'finished', { loss: 0.1 });
  ws.close();

  const again = openWorkspace(dir);
  assert.deepEqual(again.runs.lineage('al-1').map((r) => r.id), ['al-1', 'pre-1']);
  assert.equal(again.runs.get('pre-1').status, 'finished');
  assert.deepEqual(again.runs.get('pre-1').summary, { loss: 0.1 });
  assert.deepEqual(again.runs.get('al-1').rewardModels, ['rm-1']);
  assert.deepEqual(again.runs.list('align').map((r) => r.id), ['al-1']);
  assert.throws(() => again.runs.get('nope'), (e: unknown) => e instanceof UnknownRunError && /pre-1/.test((e as Error).message));
  assert.throws(() => again.runs.register({ id: 'x', kind: 'align', parentId: 'missing', config: {}, dir: 'x' }), /FOREIGN KEY/);
  again.close();
});
