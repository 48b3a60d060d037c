// Stages resume: a finished stage is skipped with its recorded result and seconds,
// and the seconds of skipped stages are summed so a resumed pipeline can report its total.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StageRunner } from '../../src/workspace/stage-runner.js';

test('a second runner skips finished stages, hands back their results, and sums their recorded seconds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-stages-'));
  const first = new StageRunner(dir, () => {});
  assert.deepEqual(await first.run('a', async () => (await new Promise((r) => setTimeout(r, 30)), { n: 1 })), { n: 1 });
  assert.equal(await first.run('b', () => 'two'), 'two');
  assert.equal(first.skippedSeconds, 0);
  assert.ok(first.seconds.a! >= 0.025, `stage a took ${first.seconds.a} s`);

  const lines: string[] = [];
  const second = new StageRunner(dir, (l) => lines.push(l));
  let ran = 0;
  assert.deepEqual(await second.run('a', () => (ran++, { n: 99 })), { n: 1 });
  assert.equal(await second.run('b', () => (ran++, 'again')), 'two');
  assert.equal(await second.run('c', () => (ran++, 3)), 3);
  assert.equal(ran, 1, 'only the unfinished stage ran');
  assert.ok(lines.some((l) => /\[a\] already finished/.test(l)));
  assert.equal(second.skippedSeconds, first.seconds.a! + first.seconds.b!);
  assert.deepEqual(Object.keys(second.seconds), ['a', 'b', 'c']);
  rmSync(dir, { recursive: true, force: true });
});
