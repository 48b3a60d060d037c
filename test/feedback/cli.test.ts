// The `medloop serve` and `medloop study …` commands, end to end on a temporary workspace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { FeedbackStore } from '../../src/feedback/index.js';
import { makeWorkspace, SECRET_MODEL } from './fixtures.js';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const write = process.stdout.write;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    process.stdout.write = write;
  }
}

test('study create → simulate → status → export, from the command line', async () => {
  const ws = makeWorkspace({ perCondition: 6, goldPerCondition: 1 });
  try {
    const checklist = join(ws.dir, 'checklist.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(checklist, 'default: [Cell size, Nucleus shape, Granules]\nbyCondition:\n  lymphocyte: [Cell size, Chromatin pattern]\n');
    const created = await capture(['study', 'create', '--workspace', ws.dir, '--name', 'cli study', '--samples', ws.samplesDir, '--raters', 'ann', '--k', '2', '--gold-rate', '0.2', '--checklist', checklist, '--json']);
    assert.equal(created.code, 0, created.err);
    const c = JSON.parse(created.out);
    assert.equal(c.items, 12);
    assert.equal(c.goldItems, 2);
    assert.equal(c.raters.length, 1);
    assert.match(c.raters[0].link, /^http:\/\/127\.0\.0\.1:8377\/r\/[A-Za-z0-9_-]{32}$/);

    const bad = await capture(['study', 'create', '--workspace', ws.dir, '--name', 'x', '--mode', 'triple', '--samples', ws.samplesDir]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--mode must be binary or pairwise/);

    const sim = await capture(['study', 'simulate', '--workspace', ws.dir, '--study', 'cli study', '--raters', '3', '--error', '0,0.1,0.2', '--seed', '4', '--json']);
    assert.equal(sim.code, 0, sim.err);
    const s = JSON.parse(sim.out.trim().split('\n').at(-1)!);
    assert.equal(s.raters.length, 3);
    assert.equal(s.raters[0].deviations, 0, 'error 0 for the first rater');
    const store = FeedbackStore.openWorkspace(ws.dir);
    const answers = store.listAnswers(1);
    assert.equal(answers.filter((a) => a.simulated).length, s.answers);
    assert.ok(answers.filter((a) => a.condition === 'lymphocyte' && a.failedCriteria.length).every((a) => a.failedCriteria.every((f) => ['cell_size', 'chromatin_pattern'].includes(f))));
    store.close();

    const status = await capture(['study', 'status', '--workspace', ws.dir, '--study', 'cli study', '--json']);
    assert.equal(status.code, 0, status.err);
    const report = JSON.parse(status.out);
    assert.equal(report.raters.length, 4, 'ann + 3 simulated raters');
    assert.ok(report.agreement.krippendorff.alpha <= 1);
    const text = await capture(['study', 'status', '--workspace', ws.dir, '--study', '1']);
    assert.match(text.out, /Fleiss' κ/);

    const out = join(ws.dir, 'export.jsonl');
    assert.equal((await capture(['study', 'export', '--workspace', ws.dir, '--study', 'cli study', '--format', 'jsonl', '--out', out])).code, 0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, s.answers);
    assert.equal(rows[0].images[0].provenance.model, SECRET_MODEL);
    const csv = await capture(['study', 'export', '--workspace', ws.dir, '--study', 'cli study']);
    assert.match(csv.out, /^answer_id,study,mode,rater/);

    const missing = await capture(['study', 'status', '--workspace', ws.dir, '--study', 'nope']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no study 'nope' in this workspace \(1: cli study\)/);
  } finally {
    ws.cleanup();
  }
});

test('medloop serve prints working admin and rater links and stops on SIGTERM', async () => {
  const ws = makeWorkspace({ perCondition: 2 });
  try {
    assert.equal((await capture(['study', 'create', '--workspace', ws.dir, '--name', 'served', '--samples', ws.samplesDir, '--raters', 'ann', '--k', '1'])).code, 0);
    const child = spawn(process.execPath, ['bin/medloop.js', 'serve', '--workspace', ws.dir, '--port', '0'], { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 20_000);
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('Ctrl+C')) (clearTimeout(timer), resolve());
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    });
    const admin = /Admin:\s+(\S+)/.exec(out)![1]!;
    const ann = /ann\s+(http\S+)/.exec(out)![1]!;
    assert.match(admin, /^http:\/\/127\.0\.0\.1:\d+\/admin\/[A-Za-z0-9_-]{32}$/);
    const adminPage = await fetch(admin);
    assert.equal(adminPage.status, 200);
    assert.match(await adminPage.text(), /served/);
    const raterPage = await fetch(ann);
    assert.equal(raterPage.status, 200, 'redirected to the single study');
    assert.match(await raterPage.text(), /Intended condition/);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    ws.cleanup();
  }
});
