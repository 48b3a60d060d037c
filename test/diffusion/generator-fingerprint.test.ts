// A generator folder's fingerprint follows its weights: a copy keeps it, a changed weight
// or a newer checkpoint of a run changes it, and a folder without weights is refused by name.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { noGrad, seedInit, setNumThreads, tidy } from '../../src/engine/index.js';
import { createGenerator, type GeneratorConfig } from '../../src/diffusion/generator.js';
import { generatorFingerprint } from '../../src/diffusion/generator-fingerprint.js';

setNumThreads(1);

const config: GeneratorConfig = {
  unet: { resolution: 8, inChannels: 1, baseChannels: 16, channelMult: [1, 2], numResBlocks: 1, attentionResolutions: [4], heads: 2, groups: 8, dropout: 0, contextDim: null },
  condition: { kind: 'class', classes: ['a', 'b'], dim: 16, tokensPerClass: 1 },
  schedule: { kind: 'linear', numTimesteps: 100 },
  image: { size: 8, channels: 1 },
};

test('generatorFingerprint: the same weights anywhere give one print; one changed weight or a newer checkpoint another', () => {
  const root = mkdtempSync(join(tmpdir(), 'medloop-fp-'));
  try {
    seedInit(3);
    const gen = createGenerator(config);
    const bundle = join(root, 'bundle');
    gen.save(bundle, { step: 10 });
    const first = generatorFingerprint(bundle);
    assert.match(first, /^[0-9a-f]{12}$/);
    cpSync(bundle, join(root, 'copy'), { recursive: true });
    assert.equal(generatorFingerprint(join(root, 'copy')), first, 'a copy samples the same: same print');

    // one parameter nudged: a different print
    noGrad(() => tidy(() => gen.parameters()[0]!.add_(1e-3)));
    const changed = join(root, 'changed');
    gen.save(changed, { step: 10 });
    assert.notEqual(generatorFingerprint(changed), first);

    // a run folder resolves to its latest checkpoint: a newer one changes the print
    const run = join(root, 'run');
    cpSync(bundle, join(run, 'checkpoints', 'step-0000010'), { recursive: true });
    assert.equal(generatorFingerprint(run), first);
    cpSync(changed, join(run, 'checkpoints', 'step-0000020'), { recursive: true });
    assert.equal(generatorFingerprint(run), generatorFingerprint(changed));
    gen.dispose();

    rmSync(join(root, 'copy', 'weights.safetensors'));
    assert.throws(() => generatorFingerprint(join(root, 'copy')), /copy: no weight files/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
