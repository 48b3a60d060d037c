import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sampleCommand } from '../../src/cli/commands/sample.js';
import { main } from '../../src/cli/main.js';
import { createGenerator } from '../../src/diffusion/generator.js';
import { checkpointDir, seedInit } from '../../src/engine/index.js';
import { createRunDir } from '../../src/workspace/run-dir.js';
import { TINY_CLASSES, tinyGeneratorConfig } from '../models/tiny.js';

function captureStderr<T>(fn: () => Promise<T>): Promise<{ result: T; err: string }> {
  const orig = process.stderr.write.bind(process.stderr);
  let err = '';
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  const origError = console.error;
  console.error = (...a: unknown[]) => void (err += a.join(' ') + '\n');
  return fn().then(
    (result) => ((process.stderr.write = orig), (console.error = origError), { result, err }),
    (e) => ((process.stderr.write = orig), (console.error = origError), Promise.reject(e)),
  );
}

test('medloop sample writes PNGs, JSON sidecars and a grid; bad classes and runs fail with the valid values', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'medloop-sample-'));
  seedInit(8);
  const gen = createGenerator(tinyGeneratorConfig());
  const run = createRunDir(ws, 'gen', {});
  gen.save(checkpointDir(join(run.dir, 'checkpoints'), 30), { step: 30 });
  gen.dispose();

  const out = join(ws, 'out');
  const code = await sampleCommand.run({ workspace: ws, run: run.id, n: '6', steps: '3', eta: '1', cfg: '3', seed: '5', sampler: 'ddim', batch: '64', out }, []);
  assert.equal(code, 0);
  const files = readdirSync(out).sort();
  assert.equal(files.filter((f) => f.endsWith('.png')).length, 7, '6 images + grid');
  const side = JSON.parse(readFileSync(join(out, '0005.json'), 'utf8'));
  assert.deepEqual(side, {
    condition: TINY_CLASSES[2],
    model: `${run.id}@step-30`,
    run: run.id,
    checkpointStep: 30,
    weights: 'live',
    seed: 5,
    sampler: { kind: 'ddim', steps: 3, eta: 1, cfg: 3 },
    index: 5,
    file: '0005.png',
  });

  const bad = await captureStderr(() => main(['sample', '--workspace', ws, '--run', run.id, '--condition', 'neutrophil', '--n', '2']));
  assert.equal(bad.result, 1);
  assert.match(bad.err, /unknown condition 'neutrophil': this model's classes are basophil, eosinophil, lymphocyte/);
  const missing = await captureStderr(() => main(['sample', '--workspace', ws, '--run', 'gen-nope', '--n', '2']));
  assert.equal(missing.result, 1);
  assert.match(missing.err, new RegExp(`no run 'gen-nope'.*available: ${run.id}`));
  rmSync(ws, { recursive: true, force: true });
});
