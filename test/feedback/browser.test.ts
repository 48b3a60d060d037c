// Real-browser tests (Debian's Chromium through playwright-core): a rater works through a
// binary study and a pairwise study with the keyboard only — ticking criteria, writing a
// comment, undoing with Z, the help overlay — and the stored answers are checked in the
// database. Also: image crisp and large, layout at 1366×768 and on tablets, the README
// screenshot (written to docs/img/rating-page.png with MEDLOOP_UPDATE_SCREENSHOTS=1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import { parseCsvRecords } from '../../src/feedback/csv.js';
import { serveStudy, type Served } from './server-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const PBC = join(import.meta.dirname, '../../../shared/data/pbc64');
const SCREENSHOT = join(import.meta.dirname, '../../docs/img/rating-page.png');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log(`# skipping browser tests: ${CHROMIUM} not found (install Debian's chromium package)`);

async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Waits until the page shows an item other than `previous` (or the done card). */
async function nextItem(page: Page, previous: string | undefined): Promise<string> {
  await page.waitForFunction(
    (prev) => (document.body.dataset.state === 'ready' && document.body.dataset.assignment !== prev) || document.body.dataset.state === 'done',
    previous ?? '',
    { timeout: 10_000 },
  );
  return page.evaluate(() => document.body.dataset.assignment ?? '');
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  return errors;
}

/** Real blood-cell images (when the shared data is present) make the screenshot meaningful. */
function addRealCells(samplesDir: string): boolean {
  if (!existsSync(join(PBC, 'labels.csv'))) return false;
  const { records } = parseCsvRecords(readFileSync(join(PBC, 'labels.csv'), 'utf8'));
  const wanted = ['neutrophil', 'eosinophil', 'lymphocyte', 'monocyte'];
  const dir = join(samplesDir, 'cells');
  mkdirSync(dir, { recursive: true });
  for (const label of wanted) {
    records
      .filter((r) => r.label === label)
      .slice(0, 2)
      .forEach((r, i) => {
        const name = `cell_${label}_${i}`;
        copyFileSync(join(PBC, r.path!), join(dir, `${name}.png`));
        writeFileSync(join(dir, `${name}.json`), JSON.stringify({ condition: label, model: 'pbc-demo', run: 'demo-run', seed: i }));
      });
  }
  return true;
}

describe('rating in a real browser', { skip: !haveChromium }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('binary study with the keyboard: criteria, comment, answer, undo (Z), help (?), done; answers in the database', async () => {
    const s: Served = await serveStudy({ mode: 'binary', raters: ['ann'], ratersPerItem: 1, goldRate: 0, seed: 3 }, { conditions: ['neutrophil'], perCondition: 5 });
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    try {
      await page.goto(`${s.url}/r/${s.token('ann')}`);
      assert.match(page.url(), /\/r\/[A-Za-z0-9_-]+\/studies\/1$/, 'a single study opens directly');
      const a1 = await nextItem(page, undefined);
      assert.equal(await page.textContent('#condition'), 'neutrophil');
      assert.equal(await page.locator('.criterion').count(), 7);
      assert.equal(await page.textContent('#progress-text'), '0 / 5');

      // The image is shown large, at a whole-number magnification, with square pixels.
      const img = await page.evaluate(() => {
        const el = document.getElementById('img-single') as HTMLImageElement;
        const r = el.getBoundingClientRect();
        return { w: r.width, h: r.height, nw: el.naturalWidth, rendering: getComputedStyle(el).imageRendering, src: el.src };
      });
      assert.equal(img.nw, 16);
      assert.ok(img.w >= 500, `image drawn ${img.w}px wide`);
      assert.equal(img.w % img.nw, 0, 'integer scale');
      assert.equal(img.rendering, 'pixelated');
      assert.match(img.src, /^blob:/, 'image fetched with the token, shown from a blob URL');

      // Item 1: tick "Cell size" (A) and "Chromatin pattern" (D), untick and re-tick A, then Implausible (2).
      await page.keyboard.press('a');
      await page.keyboard.press('d');
      await page.keyboard.press('a');
      await page.keyboard.press('a');
      assert.equal(await page.locator('.criterion.checked').count(), 2);
      await page.keyboard.press('2');
      const a2 = await nextItem(page, a1);
      assert.equal(await page.locator('.criterion.checked').count(), 0, 'checklist resets for the next item');
      assert.equal(await page.textContent('#progress-text'), '1 / 5');
      // Item 2: Plausible (1).
      await page.keyboard.press('1');
      const a3 = await nextItem(page, a2);
      // Item 3: C focuses the comment; typing there does not trigger shortcuts (the "1" and "2" stay text).
      await page.keyboard.press('c');
      await page.keyboard.type('nucleus 1 or 2 lobes?');
      await page.keyboard.press('Escape');
      await page.keyboard.press('s'); // Nucleus shape
      await page.keyboard.press('2');
      const a4 = await nextItem(page, a3);
      assert.equal(await page.textContent('#progress-text'), '3 / 5');
      // Z: undo the last answer — item 3 comes back with its criterion and comment pre-filled.
      await page.keyboard.press('z');
      assert.equal(await nextItem(page, a4), a3);
      assert.equal(await page.inputValue('#comment'), 'nucleus 1 or 2 lobes?');
      assert.deepEqual(await page.$$eval('.criterion input:checked', (els) => els.map((e) => (e as HTMLInputElement).value)), ['nucleus_shape']);
      assert.equal(await page.textContent('#progress-text'), '2 / 5');
      // Help overlay.
      await page.keyboard.press('?');
      assert.equal(await page.isVisible('#help'), true);
      assert.match((await page.textContent('#help'))!, /Undo the last answer/);
      await page.keyboard.press('1'); // ignored while help is open
      await page.keyboard.press('Escape');
      assert.equal(await page.isVisible('#help'), false);
      assert.equal(await page.evaluate(() => document.body.dataset.assignment), a3, 'keys are ignored while help is open');
      // Re-answer item 3 as plausible (untick the criterion first), then finish.
      await page.keyboard.press('s');
      await page.keyboard.press('1');
      let cur = await nextItem(page, a3);
      while ((await page.evaluate(() => document.body.dataset.state)) !== 'done') {
        await page.keyboard.press('1');
        cur = await nextItem(page, cur);
      }
      assert.equal(await page.isVisible('#done'), true);
      assert.equal(await page.textContent('#progress-text'), '5 / 5');
      assert.deepEqual(errors, [], 'no console errors, CSP violations or failed requests');

      // What the database holds.
      const answers = s.store.listAnswers(1, { includeRetracted: true });
      const by = (pub: string) => answers.filter((a) => a.assignmentPublicId === pub);
      assert.deepEqual(
        by(a1).map((a) => [a.choice, a.failedCriteria, a.retractedAt === null]),
        [['implausible', ['cell_size', 'chromatin_pattern'], true]],
      );
      assert.deepEqual(
        by(a2).map((a) => [a.choice, a.failedCriteria]),
        [['plausible', []]],
      );
      const third = by(a3);
      assert.equal(third.length, 2, 'the undone answer is kept, retracted');
      assert.deepEqual([third[0]!.choice, third[0]!.failedCriteria, third[0]!.comment, third[0]!.retractedAt !== null], ['implausible', ['nucleus_shape'], 'nucleus 1 or 2 lobes?', true]);
      assert.deepEqual([third[1]!.choice, third[1]!.failedCriteria, third[1]!.comment, third[1]!.retractedAt], ['plausible', [], 'nucleus 1 or 2 lobes?', null]);
      assert.equal(answers.filter((a) => a.retractedAt === null).length, 5);
      assert.ok(answers.every((a) => a.timeMs !== null && a.timeMs >= 0));
      assert.equal(s.store.auditLog().filter((e) => e.action === 'answer.retract').length, 1);
    } finally {
      await context.close();
      await s.close();
    }
  });

  test('pairwise study with arrow keys (left, right, tie) and undo; winners stored independent of sides', async () => {
    const s = await serveStudy({ mode: 'pairwise', raters: ['bob'], ratersPerItem: 1, comparisonsPerImage: 2, seed: 5 }, { conditions: ['lymphocyte'], perCondition: 6 });
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    try {
      await page.goto(`${s.url}/r/${s.token('bob')}/studies/1`);
      const p1 = await nextItem(page, undefined);
      assert.equal(await page.locator('#img-left').isVisible(), true);
      assert.equal(await page.locator('#img-right').isVisible(), true);
      const sizes = await page.evaluate(() => ['img-left', 'img-right'].map((id) => document.getElementById(id)!.getBoundingClientRect().width));
      assert.ok(sizes.every((w) => w >= 300), `both images large: ${sizes}`);
      await page.keyboard.press('ArrowLeft');
      const p2 = await nextItem(page, p1);
      await page.keyboard.press('ArrowRight');
      const p3 = await nextItem(page, p2);
      await page.keyboard.press('ArrowDown');
      const p4 = await nextItem(page, p3);
      await page.keyboard.press('z');
      assert.equal(await nextItem(page, p4), p3, 'undo brings back the tie');
      await page.keyboard.press('ArrowLeft');
      await nextItem(page, p3);
      assert.deepEqual(errors, []);

      const live = s.store.listAnswers(1);
      const choice = (pub: string) => live.find((a) => a.assignmentPublicId === pub)!;
      assert.deepEqual([p1, p2, p3].map((p) => choice(p).choice), ['left', 'right', 'left']);
      for (const p of [p1, p2, p3]) {
        const a = choice(p);
        const expected = (a.choice === 'left') !== a.swapped ? 'a' : 'b';
        assert.equal(a.winner, expected);
        assert.equal(a.winnerImageId, a.images[expected === 'a' ? 0 : 1]!.id);
      }
      const all = s.store.listAnswers(1, { includeRetracted: true });
      assert.deepEqual(
        all.filter((a) => a.retractedAt !== null).map((a) => [a.assignmentPublicId, a.choice, a.winner]),
        [[p3, 'tie', 'tie']],
      );
    } finally {
      await context.close();
      await s.close();
    }
  });

  test('layout at 1366×768 and on tablets (1024×768, 768×1024); README screenshot', async () => {
    const s = await serveStudy({ mode: 'binary', raters: ['cyd'], ratersPerItem: 1, seed: 8, name: 'Blood-cell plausibility · round 1' }, { conditions: ['neutrophil'], perCondition: 1 });
    const real = addRealCells(s.ws.samplesDir);
    // Recreate the study so it includes the real cells when available.
    const { createStudyFromSamples } = await import('../../src/feedback/index.js');
    const study = real
      ? createStudyFromSamples(s.store, { name: 'Blood-cell plausibility — round 1', mode: 'binary', dir: join(s.ws.samplesDir, 'cells'), raters: ['dee'], ratersPerItem: 1, seed: 2 }).study.id
      : 1;
    const who = real ? 'dee' : 'cyd';
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    try {
      await page.goto(`${s.url}/r/${s.token(who)}/studies/${study}`);
      await nextItem(page, undefined);
      for (const [w, h] of [
        [1366, 768],
        [1024, 768],
        [768, 1024],
      ] as const) {
        await page.setViewportSize({ width: w, height: h });
        await page.waitForTimeout(50);
        // No named helper functions inside evaluate: tsx's keepNames would reference a missing __name.
        const m = await page.evaluate(() => {
          const buttons = Array.from(document.querySelectorAll('.choice')).map((b) => b.getBoundingClientRect());
          return {
            scrollW: document.documentElement.scrollWidth,
            scrollH: document.documentElement.scrollHeight,
            stage: document.querySelector('#stage')!.getBoundingClientRect().toJSON() as DOMRect,
            panel: document.querySelector('#panel')!.getBoundingClientRect().toJSON() as DOMRect,
            img: document.querySelector('#img-single')!.getBoundingClientRect().toJSON() as DOMRect,
            buttonsVisible: buttons.every((b) => b.top >= 0 && b.bottom <= window.innerHeight && b.right <= window.innerWidth && b.height >= 44),
          };
        });
        assert.ok(m.scrollW <= w, `${w}×${h}: no horizontal scrolling (${m.scrollW})`);
        assert.ok(m.scrollH <= h, `${w}×${h}: page fits the screen (${m.scrollH})`);
        assert.ok(m.buttonsVisible, `${w}×${h}: answer buttons on screen and touch-sized`);
        assert.ok(m.img.width >= 256, `${w}×${h}: image ${m.img.width}px`);
        if (w < 900) assert.ok(m.panel.top >= m.stage.bottom - 1, 'portrait tablet: answers below the image');
        else assert.ok(m.panel.left >= m.stage.right - 1, 'landscape: answers beside the image');
      }
      await page.setViewportSize({ width: 1366, height: 768 });
      let cur = await nextItem(page, undefined);
      for (let i = 0; i < (real ? 3 : 1); i++) {
        await page.keyboard.press('1');
        cur = await nextItem(page, cur);
      }
      if (real) {
        // the note is written when the image has loaded: wait for it rather than race it
        await page.waitForFunction(() => /px, shown at \d+×/.test(document.querySelector('#scale-note')?.textContent ?? ''), undefined, { timeout: 10_000 });
        assert.match((await page.textContent('#scale-note'))!, /px, shown at \d+×/);
      }
      await page.keyboard.press('s');
      await page.keyboard.press('h');
      await page.locator('#comment').fill('Granules look too coarse; nuclear outline irregular');
      await page.mouse.move(0, 0);
      const shot = await page.screenshot({ type: 'png' });
      const png = PNG.sync.read(shot);
      assert.equal(png.width, 1366);
      assert.equal(png.height, 768);
      if (process.env.MEDLOOP_UPDATE_SCREENSHOTS) {
        mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
        writeFileSync(SCREENSHOT, shot);
      }
    } finally {
      await context.close();
      await s.close();
    }
  });
});
