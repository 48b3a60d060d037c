import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { discSet, writeImageFolder, writeSampleFolder } from './fixtures.js';

test('medloop eval scores sample folders against real data and writes the report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-eval-cli-'));
  try {
    const real = join(dir, 'real');
    writeImageFolder(real, discSet(50, 16, 1, ['blue', 'red']));
    // Baseline: the right classes but all one colour (red drawn for "blue" too): poor fidelity for blue.
    const baselineSet = discSet(25, 16, 2, ['red', 'red']);
    writeSampleFolder(join(dir, 'baseline'), { rasters: baselineSet.rasters, names: baselineSet.names.map((_, i) => (i % 2 ? 'red' : 'blue')) });
    writeSampleFolder(join(dir, 'aligned'), discSet(25, 16, 3, ['blue', 'red']));
    writeFileSync(join(dir, 'ratings.json'), JSON.stringify({ plausibility: { baseline: [{ plausible: false, condition: 'blue' }, { plausible: true, condition: 'red' }], aligned: [{ plausible: true, condition: 'blue' }] }, agreement: { fleissKappa: 0.5 } }));
    writeFileSync(join(dir, 'guard.jsonl'), Array.from({ length: 10 }, (_, i) => JSON.stringify({ step: i, reward: i / 10, evaluator: 0.5 + i / 40 })).join('\n'));
    const out = join(dir, 'out');
    const logs: string[] = [];
    const log = console.log;
    console.log = (s: string) => logs.push(s);
    let code: number;
    try {
      code = await main([
        'eval', '--real', real, '--baseline', join(dir, 'baseline'), '--samples', join(dir, 'aligned'), '--name', 'aligned', '--out', out,
        '--classifier', join(dir, 'clf'), '--size', '16', '--epochs', '4', '--batch', '16', '--bootstrap', '20', '--utility',
        '--ratings', join(dir, 'ratings.json'), '--guard', join(dir, 'guard.jsonl'), '--quiet',
      ]);
    } finally {
      console.log = log;
    }
    assert.equal(code, 0);
    const summary = JSON.parse(logs[logs.length - 1]!);
    const [baseline, aligned] = summary.sets;
    assert.ok(summary.extractorAccuracy >= 0.9, `extractor accuracy ${summary.extractorAccuracy}`);
    assert.equal(baseline.name, 'baseline');
    assert.equal(aligned.name, 'aligned');
    assert.ok(aligned.fid < baseline.fid, `aligned FID ${aligned.fid} vs baseline ${baseline.fid}`);
    assert.ok(aligned.tstrAccuracy > baseline.tstrAccuracy);
    // the candidate's side effects against the baseline, from the figures printed beside them
    assert.ok(Math.abs(summary.sideEffects.fidChange - (aligned.fid - baseline.fid) / baseline.fid) < 1e-9);
    assert.equal(summary.sideEffects.fidelityHeld, true, 'a lower FID is no loss of fidelity');
    assert.equal(summary.sideEffects.diversityHeld, aligned.recall >= 0.9 * baseline.recall || aligned.msSsim <= 1.1 * baseline.msSsim);
    assert.ok(existsSync(join(dir, 'clf', 'state.json')), 'the extractor is cached');
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    assert.equal(metrics.metrics.evaluation.sets.length, 2);
    assert.ok(metrics.metrics.evaluation.sets[1].fid.lo <= metrics.metrics.evaluation.sets[1].fid.hi);
    assert.equal(metrics.hacking.result.flagged, false);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const id of ['summary', 'metrics', 'samples', 'hacking', 'study']) assert.match(html, new RegExp(`<section id="${id}"`));
    assert.match(html, /side effects · aligned vs baseline/);
    // A second run reuses the cached extractor.
    console.log = () => {};
    try {
      assert.equal(await main(['eval', '--real', real, '--samples', join(dir, 'aligned'), '--out', join(dir, 'out2'), '--classifier', join(dir, 'clf'), '--size', '16', '--bootstrap', '0', '--quiet']), 0);
    } finally {
      console.log = log;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('medloop eval names the missing sidecar', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-eval-cli-'));
  const errors: string[] = [];
  const err = console.error;
  console.error = (s: string) => errors.push(s);
  try {
    writeImageFolder(join(dir, 'real'), discSet(10, 16, 1, ['blue', 'red']));
    const set = discSet(2, 16, 2, ['blue', 'red']);
    writeSampleFolder(join(dir, 's'), set);
    rmSync(join(dir, 's', 's0001.json'));
    const code = await main(['eval', '--real', join(dir, 'real'), '--samples', join(dir, 's'), '--classifier', join(dir, 'clf'), '--size', '16', '--epochs', '1', '--out', join(dir, 'o'), '--quiet']);
    assert.equal(code, 1);
    assert.match(errors.join('\n'), /s0001\.png: no sidecar s0001\.json/);
    assert.equal(await main(['eval', '--real', join(dir, 'real')]), 2, 'neither --samples nor --run is a usage error');
  } finally {
    console.error = err;
    rmSync(dir, { recursive: true, force: true });
  }
});
