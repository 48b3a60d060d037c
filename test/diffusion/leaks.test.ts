// Long runs (pretraining for hours, DDPO loops) depend on freeing every tensor.
// A file of its own: garbage from other tests, freed by finalizers mid-test, would blur the count.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createGenerator } from '../../src/diffusion/generator.js';
import { sampleImages } from '../../src/diffusion/pipeline.js';
import { DEFAULT_PRETRAIN_CONFIG, pretrain } from '../../src/diffusion/pretrain.js';
import { undisposedTensorCount, randn, seedInit, tidy } from '../../src/engine/index.js';
import { tinyGeneratorConfig } from '../models/tiny.js';

test('sampling and pretraining leave no tensors behind', () => {
  seedInit(12);
  const gen = createGenerator(tinyGeneratorConfig());
  const images = tidy(() => randn([8, 3, 8, 8]).tanh());
  const dir = mkdtempSync(join(tmpdir(), 'medloop-leak-'));
  const before = undisposedTensorCount();
  sampleImages(gen, { conditions: ['basophil', null, 'lymphocyte'], steps: 3, cfg: 2, seed: 1, batchSize: 2 });
  pretrain({
    generator: gen,
    data: { images, conditions: Array(8).fill('eosinophil') },
    config: { ...DEFAULT_PRETRAIN_CONFIG, steps: 3, batchSize: 4, checkpointEvery: 2, sampleEvery: 2, sampleSteps: 2 },
    runDir: dir,
    sampleConditions: ['basophil'],
    onSamples: () => {},
  });
  pretrain({ generator: gen, data: { images, conditions: Array(8).fill('eosinophil') }, config: { ...DEFAULT_PRETRAIN_CONFIG, steps: 5, batchSize: 4, checkpointEvery: 2, sampleEvery: 0 }, runDir: dir, resume: true });
  assert.equal(undisposedTensorCount(), before);
  images.dispose();
  gen.dispose();
  rmSync(dir, { recursive: true, force: true });
});
