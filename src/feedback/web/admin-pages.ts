// Admin pages (server-rendered, no script): studies and rater links, a form to create a
// study, and per-study progress, gold accuracy, agreement and exports.
import type { AgreementSummary } from '../agreement/index.js';
import type { StudyReport } from '../report.js';
import type { Rater, Study } from '../store/types.js';
import { html, page, type SafeHtml } from './html.js';

const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));
const pct = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);

function shell(title: string, token: string, content: SafeHtml): string {
  return page({
    title: `${title} · medloop admin`,
    bodyClass: 'admin',
    body: html`<header class="topbar"><div class="brand">medloop <span>· admin</span></div><div class="study-name"><a href="/admin/${token}">Studies</a></div></header>
<div class="container">${content}</div>`,
  });
}

export interface StudyRow {
  study: Study;
  items: number;
  raters: number;
  done: number;
  total: number;
}

export function adminHomePage(opts: {
  token: string;
  baseUrl: string;
  studies: StudyRow[];
  raters: Array<{ rater: Rater; link: string; studies: number }>;
  error?: string;
  form?: Record<string, string>;
}): string {
  const f = opts.form ?? {};
  const studyRows = opts.studies.map(
    (s) => html`<tr>
      <td><a href="/admin/${opts.token}/studies/${s.study.id}">${s.study.name}</a></td>
      <td>${s.study.mode}</td>
      <td><span class="badge ${s.study.status}">${s.study.status}</span></td>
      <td class="num">${s.items}</td>
      <td class="num">${s.raters}</td>
      <td class="nowrap"><span class="mini-bar"><div class="fill-${Math.round((100 * s.done) / Math.max(1, s.total) / 5) * 5}"></div></span>${s.done} / ${s.total}</td>
    </tr>`,
  );
  const raterRows = opts.raters.map(
    (r) => html`<tr><td>${r.rater.name}${r.rater.simulated ? html` <span class="badge">simulated</span>` : ''}</td><td class="num">${r.studies}</td><td class="link">${r.link}</td></tr>`,
  );
  const content = html`
<h1>Studies</h1>
<p class="sub">Blinded rating studies in this workspace. Rater links are personal: send each rater only their own.</p>
${
  opts.studies.length
    ? html`<table class="data"><thead><tr><th>Study</th><th>Mode</th><th>Status</th><th class="num">Items</th><th class="num">Raters</th><th>Answers</th></tr></thead><tbody>${studyRows}</tbody></table>`
    : html`<div class="card">No studies yet. Create one below or with <code>medloop study create</code>.</div>`
}
<h2>Rater links</h2>
${
  opts.raters.length
    ? html`<table class="data"><thead><tr><th>Rater</th><th class="num">Studies</th><th>Personal link</th></tr></thead><tbody>${raterRows}</tbody></table>`
    : html`<div class="card">No raters yet.</div>`
}
<h2>Create a study</h2>
<div class="card">
  ${opts.error ? html`<div class="error-box" id="form-error">${opts.error}</div>` : ''}
  <form class="stack" method="post" action="/admin/${opts.token}/studies">
    <label class="span-2">Name<input name="name" required maxlength="100" value="${f.name ?? ''}"></label>
    <label class="span-2">Mode<select name="mode">
      <option value="binary"${f.mode === 'pairwise' ? '' : html` selected`}>Binary: plausible / implausible + checklist</option>
      <option value="pairwise"${f.mode === 'pairwise' ? html` selected` : ''}>Pairwise: left / right / tie</option>
    </select></label>
    <label class="full">Raters (comma-separated names; new ones are created)<input name="raters" value="${f.raters ?? ''}" placeholder="alice, bob, carol"></label>
    <label class="full">Sample folder (PNG + JSON sidecars), relative to the workspace<input name="samplesDir" value="${f.samplesDir ?? ''}" placeholder="runs/2024-05-01-a/samples"></label>
    <label class="span-2">…or a CSV with path,condition[,gold_answer]<input name="csv" value="${f.csv ?? ''}" placeholder="real/labels.csv"></label>
    <label class="span-2">Image folder for the CSV paths (default: the CSV's folder)<input name="imageDir" value="${f.imageDir ?? ''}"></label>
    <label>Raters per item (k)<input name="ratersPerItem" type="number" min="1" max="100" value="${f.ratersPerItem ?? '3'}"></label>
    <label>Gold rate<input name="goldRate" type="number" min="0" max="0.9" step="0.01" value="${f.goldRate ?? '0.1'}"></label>
    <label>Seed<input name="seed" type="number" value="${f.seed ?? '1'}"></label>
    <label>Pairs per image (pairwise)<input name="comparisonsPerImage" type="number" min="1" max="20" value="${f.comparisonsPerImage ?? '1'}"></label>
    <label class="full">Instructions shown to raters (optional)<textarea name="instructions" rows="2">${f.instructions ?? ''}</textarea></label>
    <div class="full actions"><button class="btn" type="submit">Create study</button><span class="note">Gold items: sidecars with <code>"real": true</code> or <code>goldAnswer</code>, or CSV rows with <code>gold_answer</code>.</span></div>
  </form>
</div>`;
  return shell('Studies', opts.token, content);
}

function agreementRows(label: string, a: AgreementSummary): SafeHtml {
  return html`<tr><td>${label}</td><td class="num">${a.units}</td><td class="num">${fmt(a.fleiss.kappa)}</td><td class="num">${fmt(a.krippendorff.alpha)}</td><td class="num">${fmt(a.fleiss.observed)}</td></tr>`;
}

export function adminStudyPage(opts: { token: string; report: StudyReport; raterLinks: Map<number, string> }): string {
  const { report: r, token } = opts;
  const s = r.study;
  const raterRows = r.raters.map(
    (x) => html`<tr>
      <td>${x.name}${x.simulated ? html` <span class="badge">simulated</span>` : ''}</td>
      <td class="nowrap"><span class="mini-bar"><div class="fill-${Math.round((100 * x.done) / Math.max(1, x.total) / 5) * 5}"></div></span>${x.done} / ${x.total}</td>
      <td class="num">${x.gold.answered ? html`${pct(x.gold.accuracy)} <span class="note">(${x.gold.correct}/${x.gold.answered})</span>` : 'n/a'}</td>
      <td class="num">${x.meanSeconds === null ? 'n/a' : `${x.meanSeconds.toFixed(1)} s`}</td>
      <td class="link">${opts.raterLinks.get(x.id) ?? ''}</td>
    </tr>`,
  );
  const cohenRows = r.agreement.cohen.map(
    (c) => html`<tr><td>${c.raterA}</td><td>${c.raterB}</td><td class="num">${c.n}</td><td class="num">${fmt(c.observed)}</td><td class="num">${fmt(c.kappa)}</td></tr>`,
  );
  const content = html`
<h1>${s.name} <span class="badge ${s.status}">${s.status}</span></h1>
<p class="sub">${s.mode === 'binary' ? 'Binary plausibility study with checklist' : 'Pairwise comparison study'} · k = ${s.ratersPerItem} raters per item · gold rate ${pct(s.goldRate)} · seed ${s.seed} · created ${s.createdAt.slice(0, 16).replace('T', ' ')}</p>
<div class="cards">
  <div class="card stat"><div class="value">${r.items}</div><div class="label">${s.mode === 'binary' ? 'images' : 'pairs'} to rate</div></div>
  <div class="card stat"><div class="value">${r.goldItems}</div><div class="label">gold item${r.goldItems === 1 ? '' : 's'}</div></div>
  <div class="card stat"><div class="value">${r.answers}</div><div class="label">answers (${r.retracted} undone)</div></div>
  <div class="card stat"><div class="value">${pct(r.plausibleRate)}</div><div class="label">${s.mode === 'binary' ? 'rated plausible (non-gold)' : 'ties (non-gold)'}</div></div>
  <div class="card stat"><div class="value">${fmt(r.agreement.fleiss.kappa)}</div><div class="label">Fleiss' κ</div></div>
  <div class="card stat"><div class="value">${fmt(r.agreement.krippendorff.alpha)}</div><div class="label">Krippendorff's α</div></div>
</div>
<h2>Raters</h2>
${
  r.raters.length
    ? html`<table class="data" id="raters"><thead><tr><th>Rater</th><th>Progress</th><th class="num">Gold accuracy</th><th class="num">Time / answer</th><th>Personal link</th></tr></thead><tbody>${raterRows}</tbody></table>`
    : html`<div class="card">No raters assigned.</div>`
}
<h2>Agreement</h2>
<table class="data" id="agreement"><thead><tr><th>Question</th><th class="num">Units (≥2 ratings)</th><th class="num">Fleiss' κ</th><th class="num">Krippendorff's α</th><th class="num">Observed agreement</th></tr></thead>
<tbody>${agreementRows(s.mode === 'binary' ? 'Plausible / implausible' : 'Preference (a / b / tie)', r.agreement)}
${r.criteria.map((c) => agreementRows(`Fails: ${c.criterion.label} (${pct(c.failRate)} of answers)`, c.agreement))}</tbody></table>
${
  r.agreement.cohen.length
    ? html`<h2>Cohen's κ per rater pair</h2><table class="data" id="cohen"><thead><tr><th>Rater A</th><th>Rater B</th><th class="num">Shared items</th><th class="num">Observed agreement</th><th class="num">κ</th></tr></thead><tbody>${cohenRows}</tbody></table>`
    : ''
}
<h2>Export and status</h2>
<div class="actions">
  <a class="btn" href="/admin/${token}/studies/${s.id}/export.csv">Download CSV</a>
  <a class="btn" href="/admin/${token}/studies/${s.id}/export.jsonl">Download JSONL</a>
  <form method="post" action="/admin/${token}/studies/${s.id}/status">
    <input type="hidden" name="status" value="${s.status === 'open' ? 'closed' : 'open'}">
    <button class="btn secondary" type="submit">${s.status === 'open' ? 'Close study' : 'Reopen study'}</button>
  </form>
  <span class="note">Exports include provenance (model, run, checkpoint, seed) and undone answers with their time.</span>
</div>`;
  return shell(s.name, token, content);
}
