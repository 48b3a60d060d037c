// Server-rendered pages a rater sees: their study list and the rating page shell. The
// item itself (image, condition, checklist) is loaded by the client from the rater API.
import type { Progress, Study } from '../store/types.js';
import { html, page, type SafeHtml } from './html.js';
import { CRITERION_KEYS } from './keys.js';

function helpRows(mode: Study['mode']): SafeHtml {
  const rows: Array<[string, string]> =
    mode === 'binary'
      ? [
          ['1', 'Plausible — submit'],
          ['2', 'Implausible — submit'],
          [CRITERION_KEYS.map((k) => k.toUpperCase()).join(' '), 'Tick / untick a failed criterion (in list order)'],
          ['C', 'Write a comment (Esc leaves the box)'],
        ]
      : [
          ['←', 'Left image is better'],
          ['→', 'Right image is better'],
          ['↓', 'Tie: equally plausible'],
          ['C', 'Write a comment (Esc leaves the box)'],
        ];
  rows.push(['Z', 'Undo the last answer'], ['?', 'Show or hide this help']);
  return html`${rows.map(([k, v]) => html`<tr><td>${k.split(' ').map((x) => html`<kbd>${x}</kbd> `)}</td><td>${v}</td></tr>`)}`;
}

export function ratingPage(opts: { token: string; study: Study; progress: Progress }): string {
  const { study } = opts;
  const binary = study.mode === 'binary';
  const stage = binary
    ? html`<figure class="frame"><div class="imgbox"><img id="img-single" alt="Image to rate"></div></figure>`
    : html`<figure class="frame"><figcaption><kbd>←</kbd> Left</figcaption><div class="imgbox"><img id="img-left" alt="Left image"></div></figure>
        <figure class="frame"><figcaption>Right <kbd>→</kbd></figcaption><div class="imgbox"><img id="img-right" alt="Right image"></div></figure>`;
  const choices = binary
    ? html`<div class="choices" role="group" aria-label="Verdict">
        <button type="button" class="choice plausible" data-choice="plausible"><kbd>1</kbd> Plausible</button>
        <button type="button" class="choice implausible" data-choice="implausible"><kbd>2</kbd> Implausible</button>
      </div>`
    : html`<div class="choices pair" role="group" aria-label="Preference">
        <button type="button" class="choice side" data-choice="left"><kbd>←</kbd> Left</button>
        <button type="button" class="choice side" data-choice="tie"><kbd>↓</kbd> Tie</button>
        <button type="button" class="choice side" data-choice="right">Right <kbd>→</kbd></button>
      </div>`;
  const body = html`
<header class="topbar">
  <div class="brand">medloop <span>· expert review</span></div>
  <div class="study-name" title="${study.name}">${study.name}</div>
  <div class="progress" aria-label="Progress">
    <div class="progress-track"><div class="progress-fill" id="progress-fill"></div></div>
    <span class="progress-text" id="progress-text">${opts.progress.done} / ${opts.progress.total}</span>
  </div>
  <button type="button" class="icon-btn" id="help-btn" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">?</button>
</header>
<main class="workspace">
  <section class="stage loading" id="stage" aria-live="polite">
    <div id="item-view" class="${binary ? 'single' : 'pair'}">${stage}</div>
    <div class="scale-note" id="scale-note"></div>
    <div class="done-card" id="done" hidden>
      <h2>All items rated</h2>
      <p>Thank you. Your answers are saved; you can close this page. Press <kbd>Z</kbd> to revisit the last answer.</p>
    </div>
  </section>
  <aside class="panel" id="panel">
    <div>
      <div class="eyebrow">Intended condition</div>
      <div class="condition" id="condition">—</div>
    </div>
    <p class="question">${binary ? 'Is this a plausible image of this condition?' : 'Which image is the more plausible example of this condition?'}</p>
    ${choices}
    ${
      binary
        ? html`<fieldset class="checklist" id="checklist">
      <legend>Failed criteria <span class="hint">tick any that fail</span></legend>
      <div class="criteria" id="criteria"></div>
    </fieldset>`
        : ''
    }
    <label class="comment-box"><span class="label-row">Comment <span class="note">optional · press C</span></span>
      <textarea id="comment" rows="2" maxlength="2000" placeholder="${binary ? 'Anything the checklist does not cover' : 'What decided it?'}"></textarea>
    </label>
    <div class="panel-footer">
      <button type="button" class="ghost" id="undo-btn" disabled><kbd>Z</kbd> Undo last</button>
      <span>Press <kbd>?</kbd> for shortcuts</span>
    </div>
  </aside>
</main>
<div class="overlay" id="help" hidden role="dialog" aria-modal="true" aria-labelledby="help-title">
  <div class="dialog">
    <h2 id="help-title">Keyboard shortcuts</h2>
    <table>${helpRows(study.mode)}</table>
    ${study.instructions ? html`<p>${study.instructions}</p>` : ''}
    <p class="close-hint">Images are shown enlarged with square pixels; the intended condition is what the image should depict. Press <kbd>Esc</kbd> or <kbd>?</kbd> to close.</p>
  </div>
</div>
<div class="toast" id="toast" role="status"></div>`;
  return page({
    title: `${study.name} · medloop`,
    bodyClass: 'rate',
    body,
    data: { token: opts.token, study: study.id, mode: study.mode },
    scripts: ['/assets/rater.js'],
  });
}

export function raterHomePage(opts: { token: string; name: string; studies: Array<{ study: Study; progress: Progress }> }): string {
  const rows = opts.studies.map(
    ({ study, progress }) => html`<tr>
      <td><a href="/r/${opts.token}/studies/${study.id}">${study.name}</a></td>
      <td>${study.mode === 'binary' ? 'Plausibility' : 'Comparison'}</td>
      <td><span class="badge ${study.status}">${study.status}</span></td>
      <td class="num">${progress.done} / ${progress.total}</td>
    </tr>`,
  );
  const body = html`
<header class="topbar"><div class="brand">medloop <span>· expert review</span></div></header>
<div class="container">
  <h1>Welcome, ${opts.name}</h1>
  <p class="sub">Your studies. Open one to start rating; your progress is saved after every answer.</p>
  ${
    opts.studies.length
      ? html`<table class="data"><thead><tr><th>Study</th><th>Task</th><th>Status</th><th class="num">Progress</th></tr></thead><tbody>${rows}</tbody></table>`
      : html`<div class="card">No studies are assigned to you yet.</div>`
  }
</div>`;
  return page({ title: 'Your studies · medloop', bodyClass: 'plain', body });
}

export function messagePage(title: string, message: string): string {
  return page({
    title: `${title} · medloop`,
    bodyClass: 'plain',
    body: html`<header class="topbar"><div class="brand">medloop</div></header><div class="container"><h1>${title}</h1><p class="sub">${message}</p></div>`,
  });
}
