// `medloop train --prediction`: a v-prediction generator is trained and saved as one,
// and an unknown parameterisation is refused with the choices.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainCommand } from '../../src/cli/commands/train.js';
import { loadGenerator } from '../../src/diffusion/generator.js';
import { latestRunDir } from '../../src/workspace/run-dir.js';
import { discSet, writeImageFolder } from '../eval/fixtures.js';

const base = { size: '8', steps: '3', batch: '4', 'warmup-steps': '1', 'checkpoint-every': '3', 'sample-every': '0', 'base-channels': '8', 'channel-mult': '1,2', seed: '1', quiet: true };

test('medloop train --prediction v writes a v-prediction generator; --prediction x is refused with the choices', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'medloop-train-'));
  const data = join(ws, 'images');
  writeImageFolder(data, discSet(4, 8, 3));
  const log = console.log;
  console.log = () => {};
  try {
    assert.equal(await trainCommand.run({ ...base, workspace: ws, data, prediction: 'v' }, []), 0);
  } finally {
    console.log = log;
  }
  const gen = loadGenerator(latestRunDir(ws, 'gen')!.dir);
  assert.equal(gen.prediction, 'v');
  assert.equal(gen.source.checkpointStep, 3);
  gen.dispose();
  await assert.rejects(trainCommand.run({ ...base, workspace: ws, data, prediction: 'x0' }, []), /--prediction must be one of epsilon, v, got 'x0'/);
  rmSync(ws, { recursive: true, force: true });
});
