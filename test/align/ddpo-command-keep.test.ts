// `medloop align ddpo --keep best`: the exported bundle is the checkpoint chooseCheckpoint
// picks from the run's own metrics, the JSON line says which; bad --keep values are refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseCheckpoint } from '../../src/align/checkpoint-choice.js';
import { readMetricsLog } from '../../src/align/run-state.js';
import { alignDdpoCommand } from '../../src/cli/commands/align-ddpo.js';
import { trainCommand } from '../../src/cli/commands/train.js';
import { loadGenerator } from '../../src/diffusion/generator.js';
import { listCheckpoints } from '../../src/engine/index.js';
import { latestRunDir } from '../../src/workspace/run-dir.js';
import { discSet, writeImageFolder } from '../eval/fixtures.js';

async function quietly(run: () => Promise<number>): Promise<string[]> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (l: string) => void lines.push(l);
  try {
    assert.equal(await run(), 0);
  } finally {
    console.log = log;
  }
  return lines;
}

test('medloop align ddpo --keep best exports the checkpoint with the best windowed batch reward', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'medloop-ddpo-keep-'));
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  const data = join(ws, 'images');
  writeImageFolder(data, discSet(4, 8, 3));
  const train = { size: '8', steps: '3', batch: '4', 'warmup-steps': '1', 'checkpoint-every': '3', 'sample-every': '0', 'base-channels': '8', 'channel-mult': '1,2', seed: '1', quiet: true };
  await quietly(() => trainCommand.run({ ...train, workspace: ws, data }, []));
  const gen = latestRunDir(ws, 'gen')!;
  const ddpo = { workspace: ws, run: gen.id, rewards: 'compressibility:1', iterations: '6', batch: '4', 'train-batch': '4', steps: '4', cfg: '1', 'timestep-fraction': '0.5', lr: '0.003', 'clip-range': '0.2', keep: 'best', 'keep-window': '2', quiet: true };
  const out = JSON.parse((await quietly(() => alignDdpoCommand.run(ddpo, []))).at(-1)!) as { dir: string; generator: string; iterations: number; kept: { iteration: number; batches: [number, number] } };

  // checkpoints every 2 iterations by default with --keep best, every one kept
  const saved = listCheckpoints(join(out.dir, 'checkpoints')).map((c) => c.step);
  assert.deepEqual([...saved].sort((a, b) => a - b), [2, 4, 6]);
  const rewards = readMetricsLog<{ iteration: number; reward: { mean: number } }>(out.dir).map((m) => m.reward.mean);
  assert.equal(rewards.length, 6);
  const expected = chooseCheckpoint(rewards, saved, 2);
  assert.equal(out.iterations, 6);
  assert.deepEqual(out.kept, { iteration: expected.iteration, score: expected.score, batches: expected.batches });
  const bundle = loadGenerator(out.generator);
  assert.equal(bundle.source.checkpointStep, expected.iteration);
  bundle.dispose();

  await assert.rejects(alignDdpoCommand.run({ ...ddpo, keep: 'worst' }, []), /--keep must be one of last, best, got 'worst'/);
  await assert.rejects(alignDdpoCommand.run({ ...ddpo, 'keep-window': '0' }, []), /--keep-window must be a whole number of iterations ≥ 1, got 0/);
});
