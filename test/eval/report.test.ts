import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { writeReport } from '../../src/eval/report/write-report.js';
import { niceTicks } from '../../src/eval/report/svg-charts.js';
import { demoReportData } from './report-fixture.js';

const CHROMIUM = '/usr/bin/chromium';

test('writeReport writes metrics.json without pixels and a self-contained report.html', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-report-'));
  try {
    const { html, json } = writeReport(dir, { ...demoReportData(), tables: [{ title: 't', columns: ['a'], rows: [{ label: 'nan', values: [NaN] }] }] });
    const metrics = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(metrics.title, 'medloop evaluation — demo run');
    assert.deepEqual(metrics.samples[0].columns, [{ label: 'baseline', count: 8 }, { label: 'aligned', count: 8 }]);
    assert.equal(metrics.tables[0].rows[0].values[0], null, 'NaN is written as null');
    assert.equal(metrics.hacking.result.flagged, true);
    const page = readFileSync(html, 'utf8');
    assert.doesNotMatch(page, /<script|https?:\/\/|<link /i, 'no scripts, links or remote URLs');
    assert.match(page, /data:image\/png;base64,/);
    assert.match(page, /—/, 'NaN shows as a dash');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chart ticks are round numbers covering the range', () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.42, 0.87, 5), [0.5, 0.6, 0.7, 0.8]);
  assert.deepEqual(niceTicks(3, 3, 4), [2, 3, 4]); // a constant series gets a band of ±50% around it
});

test('report.html renders in headless Chromium with every section and no network request', { skip: !existsSync(CHROMIUM) && `${CHROMIUM} not installed` }, async () => {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'medloop-report-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  try {
    const { html } = writeReport(dir, demoReportData());
    const url = pathToFileURL(html).href;
    const page = await browser.newPage({ viewport: { width: 1100, height: 1500 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url, { waitUntil: 'load' });
    const outside = requests.filter((r) => r !== url && !r.startsWith('data:'));
    assert.deepEqual(outside, [], 'the page fetched nothing beyond itself');
    assert.deepEqual(errors, []);
    for (const id of ['summary', 'metrics', 'samples', 'curves', 'hacking', 'study', 'notes']) {
      assert.ok(await page.locator(`section#${id}`).isVisible(), `section #${id} is visible`);
    }
    assert.equal(await page.locator('section#samples img').count(), 6);
    const broken = await page.$$eval('img', (imgs) => imgs.filter((i) => !(i as HTMLImageElement).complete || (i as HTMLImageElement).naturalWidth === 0).length);
    assert.equal(broken, 0, 'every embedded image decodes');
    assert.ok((await page.locator('svg.chart').count()) >= 5);
    assert.equal(await page.locator('#hacking .alert').getAttribute('data-flagged'), 'true');
    assert.match((await page.locator('#study').innerText()).replace(/\s+/g, ' '), /Fleiss kappa 0\.61/);
    assert.ok((await page.locator('svg .shade').count()) >= 2, 'flagged steps are shaded');
    // The docs screenshot: regenerate with MEDLOOP_UPDATE_SCREENSHOTS=1.
    const shot = process.env.MEDLOOP_UPDATE_SCREENSHOTS ? join(import.meta.dirname, '..', '..', 'docs', 'img', 'report.png') : join(dir, 'report.png');
    mkdirSync(join(shot, '..'), { recursive: true });
    // Half scale keeps the checked-in PNG small while showing the whole page.
    const small = await browser.newPage({ viewport: { width: 1100, height: 1500 }, deviceScaleFactor: 0.5 });
    await small.goto(url, { waitUntil: 'load' });
    await small.screenshot({ path: shot, fullPage: true });
    assert.ok(readFileSync(shot).length > 10_000);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
