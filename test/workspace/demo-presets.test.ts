// The demo's sizes: --long is the full demo with four times the pretraining and a longer,
// warmed-up DDPO, nothing else changed (so its results compare with the full demo's); two sizes
// at once are refused; the demo's DDPO stage runs what the config says.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { runDemo } from '../../src/workspace/demo/demo.js';
import { DEMO_SIZES, demoConfig } from '../../src/workspace/demo/presets.js';
import { ddpoConfigFor } from '../../src/workspace/demo/align-stage.js';
import { updatesPerIteration } from '../../src/align/ddpo.js';

/** Every leaf of a config as dotted path → JSON value. */
function leaves(value: unknown, path = ''): Map<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return new Map([[path, JSON.stringify(value)]]);
  return new Map(Object.entries(value).flatMap(([k, v]) => [...leaves(v, path ? `${path}.${k}` : k)]));
}

test('demo presets: long differs from full only in its name, four times the pretraining and a longer, warmed-up DDPO', () => {
  assert.deepEqual([...DEMO_SIZES], ['quick', 'full', 'long']);
  const full = leaves(demoConfig('full', { seed: 3 }));
  const long = leaves(demoConfig('long', { seed: 3 }));
  assert.deepEqual([...long.keys()].sort(), [...full.keys()].sort());
  const changed = [...long.keys()].filter((k) => long.get(k) !== full.get(k)).sort();
  assert.deepEqual(changed, ['align.iterations', 'align.warmupUpdates', 'generator.checkpointEvery', 'generator.steps', 'name']);
  // every size's DDPO is rewarded by the reward models (align.ddpoFeedback: ratings is measured in README section 4)
  for (const size of DEMO_SIZES) assert.equal(demoConfig(size).align.ddpoFeedback, 'reward-model');
  assert.equal(demoConfig('long').generator.steps, 4 * demoConfig('full').generator.steps);
  assert.ok(demoConfig('long').align.iterations > demoConfig('full').align.iterations);
  assert.equal(demoConfig('full').align.warmupUpdates, 0);
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

test('demo DDPO stage: the run follows the config (warm-up, batches, guidance, checkpoints kept for the guard)', () => {
  const config = demoConfig('long', { seed: 5 });
  const record = { rewards: [{ name: 'plausibility', weight: 1, comparative: false }], anchor: 'gen-x', data: '/d' };
  const cfg = ddpoConfigFor(config, ['a', 'b'], record);
  assert.equal(cfg.iterations, config.align.iterations);
  assert.equal(cfg.lrWarmupUpdates, config.align.warmupUpdates);
  assert.equal(cfg.pretrainWeight, config.align.pretrainWeight);
  assert.equal(cfg.klToAnchor, config.align.klToAnchor);
  assert.equal(cfg.batchSize, config.align.batch);
  assert.equal(cfg.trainBatchSize, config.align.batch / 2);
  assert.equal(cfg.guidance, config.sampling.cfg);
  assert.equal(cfg.steps, config.sampling.steps);
  assert.equal(cfg.seed, 5);
  assert.deepEqual(cfg.conditions, ['a', 'b']);
  assert.equal(cfg.advantages.fallback, config.align.advantageFallback);
  // every checkpoint stays (the reward-hacking guard reads them all), four along the run
  assert.equal(cfg.keepCheckpoints, config.align.iterations);
  assert.equal(cfg.checkpointEvery, config.align.iterations / 4);
  assert.deepEqual(cfg.record, record);
  // the long preset's warm-up spans its first half: 16 updates at 2 per iteration
  assert.equal(config.align.warmupUpdates / updatesPerIteration(cfg), config.align.iterations / 2);
});
