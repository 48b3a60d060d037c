// The demo's sizes: --long is the full demo with four times the pretraining and nothing
// else changed (so its results compare with the full demo's), and two sizes at once are refused.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { runDemo } from '../../src/workspace/demo/demo.js';
import { DEMO_SIZES, demoConfig } from '../../src/workspace/demo/presets.js';

/** Every leaf of a config as dotted path → JSON value. */
function leaves(value: unknown, path = ''): Map<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return new Map([[path, JSON.stringify(value)]]);
  return new Map(Object.entries(value).flatMap(([k, v]) => [...leaves(v, path ? `${path}.${k}` : k)]));
}

test('demo presets: long differs from full only in its name and four times the pretraining', () => {
  assert.deepEqual([...DEMO_SIZES], ['quick', 'full', 'long']);
  const full = leaves(demoConfig('full', { seed: 3 }));
  const long = leaves(demoConfig('long', { seed: 3 }));
  assert.deepEqual([...long.keys()].sort(), [...full.keys()].sort());
  const changed = [...long.keys()].filter((k) => long.get(k) !== full.get(k)).sort();
  assert.deepEqual(changed, ['generator.checkpointEvery', 'generator.steps', 'name']);
  assert.equal(demoConfig('long').generator.steps, 4 * demoConfig('full').generator.steps);
  // the seed and a real data set pass through as in the other sizes
  assert.equal(demoConfig('long', { seed: 7 }).seed, 7);
  assert.equal(demoConfig('long', { data: '/some/folder' }).data.source, '/some/folder');
});

test('demo: --quick with --long is refused before anything is written', async () => {
  const root = mkdtempSync(join(tmpdir(), 'medloop-sizes-'));
  try {
    const out = join(root, 'demo');
    await assert.rejects(runDemo({ out, quick: true, long: true, silent: true, log: () => {} }), /--quick and --long are two sizes of the demo; choose one/);
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => (errors.push(String(chunk)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['demo', '--quick', '--long', '--out', out]);
    } finally {
      process.stderr.write = write;
    }
    assert.notEqual(code, 0);
    assert.match(errors.join(''), /choose one/);
    assert.equal(existsSync(out), false, 'no workspace was created');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
