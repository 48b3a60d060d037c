// The quick demo end to end (CI-sized): every stage runs, metrics.json has the
// promised shape with sane numbers, the report exists, and a re-run resumes.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDemo } from '../../src/workspace/demo/demo.js';

const STAGES = ['data', 'pretrain', 'study', 'reward', 'align-ddpo', 'align-rwl', 'validate', 'evaluate'];

test('medloop demo --quick runs the whole cycle and writes report.html and metrics.json', { timeout: 15 * 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'medloop-demo-'));
  const lines: string[] = [];
  const metrics = await runDemo({ out, quick: true, silent: true, log: (l) => lines.push(l) });

  const onDisk = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.deepEqual(onDisk.seconds, JSON.parse(JSON.stringify(metrics.seconds)));
  for (const s of STAGES) assert.ok(onDisk.seconds[s] > 0, `stage ${s} timed`);
  for (const key of ['baseline', 'aligned', 'rwl']) {
    const m = onDisk[key];
    assert.ok(m.plausibility >= 0 && m.plausibility <= 1, `${key}.plausibility in [0, 1]: ${m.plausibility}`);
    assert.ok(m.fid >= 0 && Number.isFinite(m.fid), `${key}.fid finite: ${m.fid}`);
    for (const k of ['precision', 'recall', 'coverage']) assert.ok(m[k] >= 0 && m[k] <= 1, `${key}.${k} in [0, 1]`);
  }
  // the headline is the aligned model the validation study's raters accepted most (ties: DDPO, the first method)
  const v = onDisk.validation;
  const share = (m: string) => v.rated[m].plausible / v.rated[m].total;
  // every model's fresh samples were rated, blinded and mixed in one study: 4 per class × 4 classes each, 2 raters per item
  assert.equal(v.items, 3 * 4 * onDisk.data.classes.length);
  for (const m of ['baseline', 'ddpo', 'rwl']) assert.equal(v.rated[m].total, 4 * onDisk.data.classes.length * 2, `${m}: answers on its samples`);
  assert.ok(v.answers >= 3 * v.rated.baseline.total, `answers ${v.answers} include every model's and the gold items'`);
  const expected = share('rwl') > share('ddpo') ? 'rwl' : 'ddpo';
  assert.equal(onDisk.headline.method, expected);
  assert.equal(onDisk.aligned.method, expected);
  assert.equal(v.beatsBaseline, share(expected) > share('baseline'));
  for (const m of ['ddpo', 'rwl']) assert.equal(onDisk[m].method, m);
  assert.equal(onDisk.aligned.plausibility, onDisk[expected].plausibility);
  // aligned models are compared with the baseline pair by pair (same seeds): the counts add up
  for (const key of ['aligned', 'rwl']) {
    const c = onDisk[key].vsBaseline;
    const n = Math.round(onDisk.baseline.plausibility * c.pairs);
    assert.ok(c.pairs >= onDisk.data.classes.length, `${key}: ${c.pairs} pairs`);
    assert.equal(n + c.gained - c.lost, Math.round(onDisk[key].plausibility * c.pairs), `${key}: baseline accepted + gained − lost = aligned accepted`);
    assert.ok(c.pValue > 0 && c.pValue <= 1 && c.difference.lo <= c.difference.estimate && c.difference.estimate <= c.difference.hi);
  }
  // and their side effects: diversity and fidelity against the baseline's figures, the verdicts following from them
  for (const key of ['ddpo', 'rwl']) {
    const e = onDisk[key].sideEffects;
    assert.ok(Math.abs(e.recallChange - (onDisk[key].recall - onDisk.baseline.recall) / onDisk.baseline.recall) < 1e-9, `${key}: recall change`);
    assert.equal(e.diversityHeld, e.recallChange >= -0.1 || e.msSsimChange <= 0.1);
    assert.equal(typeof e.fidelityHeld, 'boolean');
  }
  assert.equal(onDisk.baseline.sideEffects, undefined);
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /paired change vs baseline: ddpo/);
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /side effects · ddpo vs baseline/);
  // FID and PRDC are only as good as the features: the domain classifier must tell the classes apart
  assert.ok(onDisk.extractorAccuracy > 0.6, `extractor held-out accuracy ${onDisk.extractorAccuracy} (chance 0.25)`);
  // the study went through the server: every assignment answered, agreement computed
  assert.ok(onDisk.study.answers >= onDisk.study.items, `answers ${onDisk.study.answers} ≥ items ${onDisk.study.items}`);
  assert.ok(onDisk.reward.ratedImages > 0);
  // the oracle judged real phantoms as plausible: the truth is sound
  assert.ok(onDisk.data.judge === 'phantom-oracle');
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /truth plausibility/);
  assert.match(html, /<svg/);
  assert.ok(!/https?:\/\/(?!www\.w3\.org)/.test(html.replace(/xmlns(:\w+)?="[^"]*"/g, '')), 'the report fetches nothing from the network');

  // a second run finds every stage finished and reuses its results
  const again: string[] = [];
  const metrics2 = await runDemo({ out, quick: true, silent: true, log: (l) => again.push(l) });
  for (const s of STAGES.slice(0, -1)) assert.ok(again.some((l) => l.includes(`[${s}] already finished`)), `stage ${s} skipped on re-run`);
  assert.equal(metrics2.baseline.plausibility, metrics.baseline.plausibility);
  // its total still counts the stages as they took the first time
  const stageSum = STAGES.reduce((sum, s) => sum + metrics.seconds[s]!, 0);
  assert.ok(metrics2.seconds.total! >= stageSum && metrics2.seconds.total! < stageSum + 60, `resumed total ${metrics2.seconds.total} against the stages' ${stageSum}`);
  assert.ok(existsSync(join(out, 'runs')) && readdirSync(join(out, 'runs')).length >= 3);

  // killed after the study was rated but before its stage was marked finished: the re-run
  // takes up the same study (no second study, no answer counted twice) instead of failing
  rmSync(join(out, 'stages', 'study.json'));
  const resumed: string[] = [];
  const study3 = (await runDemo({ out, quick: true, silent: true, log: (l) => resumed.push(l) })).study as typeof onDisk.study;
  assert.ok(resumed.some((l) => /study: resuming study \d+, which a stopped run left with 0 answers to go/.test(l)), resumed.join('\n'));
  assert.deepEqual(
    { id: study3.studyId, answers: study3.answers, items: study3.items, gold: study3.goldItems },
    { id: onDisk.study.studyId, answers: onDisk.study.answers, items: onDisk.study.items, gold: onDisk.study.goldItems },
  );

  // the same for the validation study: killed after rating, the re-run takes it up and counts no answer twice
  rmSync(join(out, 'stages', 'validate.json'));
  const resumedV: string[] = [];
  const v3 = JSON.parse(JSON.stringify((await runDemo({ out, quick: true, silent: true, log: (l) => resumedV.push(l) })).validation)) as typeof v;
  assert.ok(resumedV.some((l) => /validation: resuming study \d+, which a stopped run left with 0 answers to go/.test(l)), resumedV.join('\n'));
  assert.deepEqual({ id: v3.studyId, answers: v3.answers, rated: v3.rated, selected: v3.selected }, { id: v.studyId, answers: v.answers, rated: v.rated, selected: v.selected });

  // DDPO's weights changed under the same run id (a run resumed with more iterations keeps its
  // id): the left-over study rated the old samples, so a new study is rated, not that one
  const runDir = (name: string) => join(out, 'runs', onDisk.runs[name], 'generator');
  copyFileSync(join(runDir('rwl'), 'weights.safetensors'), join(runDir('ddpo'), 'weights.safetensors'));
  rmSync(join(out, 'stages', 'validate.json'));
  const changedV: string[] = [];
  const v4 = (await runDemo({ out, quick: true, silent: true, log: (l) => changedV.push(l) })).validation as typeof v;
  assert.ok(!changedV.some((l) => /validation: resuming study/.test(l)), changedV.join('\n'));
  assert.notEqual(v4.studyId, v.studyId, 'a second study');
  assert.equal(v4.items, v.items);
  assert.ok(v4.answers >= v4.items, `the new study was rated: ${v4.answers} answers`);

  // the left-over study no longer matches medloop.yaml (more samples asked for): refused, naming the key,
  // instead of training the reward model on a study the config does not describe
  const yamlFile = join(out, 'medloop.yaml');
  const yaml = readFileSync(yamlFile, 'utf8');
  const edited = yaml.replace(/(\nstudy:\n(?: {2}.*\n)*? {2}samplesPerCondition: )(\d+)/, (_m, head: string, n: string) => `${head}${Number(n) + 1}`);
  assert.notEqual(edited, yaml);
  writeFileSync(yamlFile, edited);
  rmSync(join(out, 'stages', 'study.json'));
  await assert.rejects(runDemo({ out, quick: true, silent: true, log: () => {} }), /study\.samplesPerCondition.*has \d+ samples|has \d+ samples.*study\.samplesPerCondition/);
});
