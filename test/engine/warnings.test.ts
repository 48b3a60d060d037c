// libtorch's own warnings reach stderr once per distinct message, not once per call
// (a warning inside a training step would otherwise print thousands of times).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const fixture = join(import.meta.dirname, 'fixtures', 'warn-twice.ts');

function run(mode?: string): string[] {
  const env = { ...process.env };
  delete env.MEDLOOP_TORCH_WARNINGS;
  if (mode) env.MEDLOOP_TORCH_WARNINGS = mode;
  const r = spawnSync(process.execPath, ['--import', 'tsx', fixture], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'done\n');
  return r.stderr.split('\n').filter((l) => l.trim() !== '');
}

test('a repeated libtorch warning is printed once; fork and hardware notices not at all', () => {
  const lines = run();
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /^libtorch warning: The \.grad attribute of a Tensor that is not a leaf Tensor is being accessed.*\[shown once\]$/);
});

test('MEDLOOP_TORCH_WARNINGS=all prints every warning, =none none', () => {
  assert.equal(run('all').filter((l) => l.startsWith('libtorch warning:')).length, 3);
  assert.deepEqual(run('none'), []);
});
