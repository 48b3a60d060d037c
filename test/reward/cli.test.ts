// End to end through the CLI: a workspace, a binary study of phantom cells rated by
// simulated raters (judged by the testbed oracle), `medloop reward train`, then
// `medloop study next` choosing from fresh candidates into a study-ready folder.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodePng } from '../../src/data/png.js';
import { type Raster, rasterToBytes } from '../../src/data/raster.js';
import { FeedbackStore, createStudyFromSamples, readSampleFolder, simulateStudy } from '../../src/feedback/index.js';
import { main } from '../../src/cli/main.js';
import { initWorkspace } from '../../src/workspace/workspace.js';
import { cellPool } from '../../bench/reward-testbed.js';

const key = (r: Raster) => Buffer.from(rasterToBytes(r)).toString('base64');

function writeSamples(dir: string, items: ReturnType<typeof cellPool>): void {
  mkdirSync(dir, { recursive: true });
  items.forEach((it, i) => {
    writeFileSync(join(dir, `s${i}.png`), encodePng(it.image));
    writeFileSync(join(dir, `s${i}.json`), JSON.stringify({ condition: it.condition, seed: i }));
  });
}

test('reward train learns a study’s ratings; study next writes the chosen candidates with sidecars', async () => {
  const root = mkdtempSync(join(tmpdir(), 'medloop-reward-cli-'));
  try {
    const wsDir = join(root, 'ws');
    initWorkspace(wsDir).close();
    const rated = cellPool(80, 21, { size: 16 });
    writeSamples(join(wsDir, 'samples', 'round1'), rated);
    const truth = new Map(rated.map((it) => [key(it.image), it] as const));
    const store = FeedbackStore.openWorkspace(wsDir);
    try {
      createStudyFromSamples(store, { name: 'round1', mode: 'binary', dir: join(wsDir, 'samples', 'round1'), raters: [], ratersPerItem: 2, seed: 1 });
      await simulateStudy({
        store,
        study: 'round1',
        raters: 2,
        errorRate: 0.05,
        seed: 2,
        judge: (image) => {
          const it = truth.get(key(image));
          assert.ok(it, 'judged image is one of the rendered cells');
          return { plausible: it.plausible, failedCriteria: it.failedCriteria };
        },
      });
      assert.equal(store.listAnswers(1).length, 160);
    } finally {
      store.close();
    }
    const out = join(root, 'next');
    const logs: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void logs.push(a.join(' '));
    try {
      assert.equal(await main(['reward', 'train', '--workspace', wsDir, '--study', 'round1', '--steps', '40', '--augment', 'dihedral', '--json']), 0);
      const info = JSON.parse(logs.pop()!);
      assert.equal(info.version, 1);
      assert.equal(info.data.ratedImages, 80);
      assert.ok(info.data.criteria.includes('cell_size'), 'criteria come from the study checklist');
      assert.ok(existsSync(join(wsDir, 'rewards', 'plausibility', 'v0001', 'checkpoint', 'weights.safetensors')));
      assert.equal(info.source.ratings.answers, 160);

      const candidates = cellPool(40, 33, { size: 16 });
      writeSamples(join(wsDir, 'samples', 'candidates'), candidates);
      assert.equal(await main(['study', 'next', '--workspace', wsDir, '--candidates', join(wsDir, 'samples', 'candidates'), '--n', '12', '--out', out]), 0);
      // power sampling: a random draw ∝ score^power, recorded in the sidecars
      assert.equal(await main(['study', 'next', '--workspace', wsDir, '--candidates', join(wsDir, 'samples', 'candidates'), '--n', '12', '--power', '1', '--out', `${out}-power`]), 0);
      assert.notEqual(await main(['study', 'next', '--workspace', wsDir, '--candidates', join(wsDir, 'samples', 'candidates'), '--n', '12', '--power', '-1', '--out', `${out}-bad`]), 0);
      // BADGE (uncertainty × diversity); an unknown acquisition names the known ones
      assert.equal(await main(['study', 'next', '--workspace', wsDir, '--candidates', join(wsDir, 'samples', 'candidates'), '--n', '12', '--acquisition', 'badge', '--out', `${out}-badge`]), 0);
      const errs: string[] = [];
      const err = console.error;
      console.error = (...a: unknown[]) => void errs.push(a.join(' '));
      try {
        assert.notEqual(await main(['study', 'next', '--workspace', wsDir, '--candidates', join(wsDir, 'samples', 'candidates'), '--n', '12', '--acquisition', 'coreset', '--out', `${out}-bad`]), 0);
      } finally {
        console.error = err;
      }
      assert.match(errs.join('\n'), /--acquisition must be disagreement, bald, entropy, badge, random, got 'coreset'/);

      // an ensemble on bootstrap resamples: the next version, every member on disk, its scoring recorded
      assert.equal(await main(['reward', 'train', '--workspace', wsDir, '--study', 'round1', '--steps', '20', '--members', '2', '--pessimism', '0.5', '--pooling', 'mean', '--json']), 0);
      const ens = JSON.parse(logs.pop()!);
      // --pooling reaches every member's stored net config (v1 took the default, max)
      const pooling = (dir: string) => JSON.parse(readFileSync(join(wsDir, 'rewards', 'plausibility', dir, 'state.json'), 'utf8')).config.pooling;
      assert.deepEqual([pooling('v0001/checkpoint'), pooling('v0002/checkpoint'), pooling('v0002/members/1')], ['max', 'mean', 'mean']);
      assert.equal(ens.version, 2);
      assert.deepEqual(ens.options.ensemble, { members: 2, pessimism: 0.5 });
      assert.equal(ens.metrics.members.length, 2);
      assert.ok(existsSync(join(wsDir, 'rewards', 'plausibility', 'v0002', 'members', '1', 'weights.safetensors')));
      assert.notEqual(await main(['reward', 'train', '--workspace', wsDir, '--study', 'round1', '--members', '0']), 0, 'members must be ≥ 1');
      assert.notEqual(await main(['reward', 'train', '--workspace', wsDir, '--study', 'round1', '--colour-negatives', '-3']), 0, 'colour negatives must be a whole number ≥ 0');
      assert.notEqual(await main(['reward', 'train', '--workspace', wsDir, '--study', 'round1', '--pooling', 'median']), 0, 'pooling must be mean or max');
    } finally {
      console.log = log;
    }
    const files = readdirSync(out).sort();
    assert.equal(files.filter((f) => f.endsWith('.png')).length, 12);
    const sidecar = JSON.parse(readFileSync(join(out, '0001.json'), 'utf8'));
    assert.ok(typeof sidecar.condition === 'string' && sidecar.activeChoice.acquisition === 'entropy');
    assert.equal(readdirSync(`${out}-power`).filter((f) => f.endsWith('.png')).length, 12);
    assert.equal(JSON.parse(readFileSync(join(`${out}-power`, '0001.json'), 'utf8')).activeChoice.power, 1);
    assert.ok(!existsSync(`${out}-bad`), 'a bad --power or --acquisition writes nothing');
    const badge = readSampleFolder(`${out}-badge`);
    assert.equal(badge.length, 12);
    assert.equal(JSON.parse(readFileSync(join(`${out}-badge`, '0001.json'), 'utf8')).activeChoice.acquisition, 'badge');
    assert.equal(new Set(badge.map((s) => s.provenance.candidate)).size, 12, 'twelve different candidates');
    // The folder is ready for a new study.
    const sources = readSampleFolder(out);
    assert.equal(sources.length, 12);
    const conditions = new Set(sources.map((s) => s.condition));
    assert.ok(conditions.size >= 3, 'the choice is spread over conditions');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
