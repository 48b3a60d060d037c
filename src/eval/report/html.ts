// report.html from ReportData: one self-contained page (inline CSS, inline SVG,
// images as data URIs, no script, nothing fetched). Sections appear only when
// their data is given.
import { REPORT_CSS } from './style.js';
import { escapeHtml, formatNumber, metricHtml } from './format.js';
import { pngDataUri, tileRasters } from './image-grid.js';
import { barChartSvg, lineChartSvg } from './svg-charts.js';
import type { Headline, MetricTable, RatingStudy, ReportData, HackingSection, SampleGrid } from './types.js';

interface Section {
  id: string;
  title: string;
  html: string;
}

function table(t: MetricTable): string {
  const head = `<tr><th>${escapeHtml(t.rowHeader ?? '')}</th>${t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr><td>${escapeHtml(r.label)}</td>${t.columns.map((_, i) => `<td>${metricHtml(r.values[i] ?? null, t.digits ?? 4)}</td>`).join('')}</tr>`).join('');
  return `<h3>${escapeHtml(t.title)}</h3><table><thead>${head}</thead><tbody>${body}</tbody></table>${t.note ? `<p class="note">${escapeHtml(t.note)}</p>` : ''}`;
}

function cards(hs: Headline[]): string {
  return `<div class="cards">${hs
    .map((h) => `<div class="card ${h.tone ?? 'neutral'}"><div class="label">${escapeHtml(h.label)}</div><div class="value">${metricHtml(h.value, 3)}</div>${h.hint ? `<div class="hint">${escapeHtml(h.hint)}</div>` : ''}</div>`)
    .join('')}</div>`;
}

function samples(grids: SampleGrid[]): string {
  return `<div class="samples">${grids
    .map(
      (g) =>
        `<div class="cond"><h3>${escapeHtml(g.condition)}</h3><div class="panels">${g.columns
          .map(
            (c) =>
              `<div class="panel"><div class="plabel">${escapeHtml(c.label)} · ${c.images.length}</div>${
                c.images.length ? `<img alt="${escapeHtml(`${g.condition} — ${c.label}`)}" src="${pngDataUri(tileRasters(c.images))}">` : '<p class="empty">no images</p>'
              }</div>`,
          )
          .join('')}</div></div>`,
    )
    .join('')}</div>`;
}

function figure(title: string, svg: string, note?: string): string {
  return `<figure><figcaption>${escapeHtml(title)}</figcaption>${svg}${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}</figure>`;
}

function hacking(h: HackingSection): string {
  const shade = h.result.flags.map((f) => ({ from: f.fromStep, to: f.toStep, label: f.detail }));
  const reward = { title: h.rewardName ?? 'Training reward', xLabel: 'step', series: [{ name: h.rewardName ?? 'reward', points: h.series.map((p) => [p.step, p.reward] as const) }], shade };
  const evaluator = { title: h.evaluatorName ?? 'Held-out evaluator', xLabel: 'step', series: [{ name: h.evaluatorName ?? 'evaluator', points: h.series.map((p) => [p.step, p.evaluator] as const) }], shade };
  const flags = h.result.flags.length
    ? `<table><thead><tr><th>Flag</th><th>Steps</th><th>Reward change</th><th>Evaluator change</th></tr></thead><tbody>${h.result.flags
        .map((f) => `<tr><td>${escapeHtml(f.kind)}</td><td>${f.fromStep}–${f.toStep}</td><td>${metricHtml(f.rewardChange, 3)}</td><td>${metricHtml(f.evaluatorChange, 3)}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  return `<div class="alert ${h.result.flagged ? 'bad' : 'ok'}" data-flagged="${h.result.flagged}">${escapeHtml(h.result.message)}</div><div class="charts">${figure(reward.title, lineChartSvg(reward))}${figure(
    evaluator.title,
    lineChartSvg(evaluator),
  )}</div>${flags}<p class="note">Spearman ρ(reward, evaluator) = ${formatNumber(h.result.spearman.rho, 3)} (p = ${formatNumber(h.result.spearman.pValue, 2)}, n = ${h.result.spearman.n}). Window ${h.result.options.window} evaluations, evaluator drop threshold ${formatNumber(h.result.options.evaluatorDrop, 3)}.</p>`;
}

/** Renders any agreement summary: scalars (or {kappa|alpha|value}) as rows, arrays of records as sub-tables. */
function agreement(a: Record<string, unknown>): string {
  const rows: string[] = [];
  const subTables: string[] = [];
  for (const [key, v] of Object.entries(a)) {
    const name = humanise(key);
    if (typeof v === 'number') rows.push(`<tr><td>${escapeHtml(name)}</td><td>${metricHtml(v, 3)}</td><td></td></tr>`);
    else if (typeof v === 'string' || typeof v === 'boolean') rows.push(`<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(String(v))}</td><td></td></tr>`);
    else if (Array.isArray(v)) {
      if (v.every((x) => x !== null && typeof x === 'object')) {
        const cols = [...new Set(v.flatMap((x) => Object.keys(x as object).filter((k) => ['number', 'string', 'boolean'].includes(typeof (x as Record<string, unknown>)[k]))))];
        if (v.length && cols.length)
          subTables.push(
            `<h3>${escapeHtml(name)}</h3><table><thead><tr>${cols.map((c) => `<th>${escapeHtml(humanise(c))}</th>`).join('')}</tr></thead><tbody>${v
              .map((x) => `<tr>${cols.map((c) => cell((x as Record<string, unknown>)[c])).join('')}</tr>`)
              .join('')}</tbody></table>`,
          );
      } else rows.push(`<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(v.map(String).join(', '))}</td><td></td></tr>`);
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const main = ['value', 'kappa', 'alpha', 'estimate'].find((k) => typeof o[k] === 'number');
      const rest = Object.entries(o).filter(([k, x]) => k !== main && typeof x === 'number');
      rows.push(
        `<tr><td>${escapeHtml(name)}</td><td>${main ? metricHtml(o[main] as number, 3) : '—'}</td><td class="note">${rest.map(([k, x]) => `${escapeHtml(humanise(k))} ${escapeHtml(formatNumber(x as number, 3))}`).join(' · ')}</td></tr>`,
      );
    }
  }
  return `${rows.length ? `<table><thead><tr><th>Statistic</th><th>Value</th><th>Details</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : ''}${subTables.join('')}`;
}

function cell(v: unknown): string {
  if (typeof v === 'number') return `<td>${metricHtml(v, 3)}</td>`;
  return `<td>${escapeHtml(String(v))}</td>`;
}

function humanise(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').split(' ');
  return words.map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w.length > 1 && !/^[A-Z0-9]+$/.test(w) ? w.toLowerCase() : w)).join(' ');
}

function study(s: RatingStudy): string {
  let out = '';
  if (s.plausibility && Object.keys(s.plausibility).length) {
    const models = Object.keys(s.plausibility);
    const conds = [...new Set(models.flatMap((m) => Object.keys(s.plausibility![m]!.perCondition)))].sort();
    const rows = [
      { label: 'all', values: models.map((m) => s.plausibility![m]!.rate) },
      { label: 'judgements', values: models.map((m) => s.plausibility![m]!.total) },
      ...conds.map((c) => ({ label: c, values: models.map((m) => s.plausibility![m]!.perCondition[c]?.rate ?? null) })),
    ];
    out += table({ title: 'Expert plausibility rate', columns: models, rows, rowHeader: 'condition', digits: 3, note: 'Share of judgements “plausible”, with 95% Wilson intervals.' });
  }
  if (s.agreement) out += `<h3>Inter-rater agreement</h3>${agreement(s.agreement)}`;
  if (s.goldAccuracy && Object.keys(s.goldAccuracy).length) {
    out += table({ title: 'Gold-item accuracy per rater', columns: ['accuracy'], rows: Object.entries(s.goldAccuracy).map(([r, v]) => ({ label: r, values: [v] })), rowHeader: 'rater', digits: 3 });
  }
  if (s.note) out += `<p class="note">${escapeHtml(s.note)}</p>`;
  return out;
}

export function renderReport(data: ReportData): string {
  const createdAt = data.createdAt ?? new Date().toISOString();
  const sections: Section[] = [];
  if (data.headlines?.length) sections.push({ id: 'summary', title: 'Summary', html: cards(data.headlines) });
  if (data.tables?.length || data.bars?.length) {
    const bars = data.bars?.length ? `<div class="charts">${data.bars.map((b) => figure(b.title, barChartSvg(b), b.note)).join('')}</div>` : '';
    sections.push({ id: 'metrics', title: 'Metrics', html: (data.tables ?? []).map(table).join('') + bars });
  }
  if (data.samples?.length) sections.push({ id: 'samples', title: 'Samples by condition', html: samples(data.samples) });
  if (data.curves?.length) sections.push({ id: 'curves', title: 'Training curves', html: `<div class="charts">${data.curves.map((c) => figure(c.title, lineChartSvg(c))).join('')}</div>` });
  if (data.hacking) sections.push({ id: 'hacking', title: 'Reward-hacking guard', html: hacking(data.hacking) });
  if (data.study) sections.push({ id: 'study', title: 'Rating study', html: study(data.study) });
  if (data.notes?.length) sections.push({ id: 'notes', title: 'Methods and notes', html: `<ul class="notes">${data.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` });
  const chips = Object.entries(data.meta ?? {})
    .map(([k, v]) => `<span class="chip"><b>${escapeHtml(k)}</b>${escapeHtml(typeof v === 'number' ? formatNumber(v) : String(v))}</span>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(data.title)}</title><style>${REPORT_CSS}</style></head>
<body>
<header class="top"><div class="wrap"><h1>${escapeHtml(data.title)}</h1>${data.subtitle ? `<p class="sub">${escapeHtml(data.subtitle)}</p>` : ''}<div class="chips"><span class="chip"><b>created</b>${escapeHtml(createdAt.replace('T', ' ').slice(0, 19))}</span>${chips}</div></div></header>
<nav class="toc"><div class="wrap">${sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('')}</div></nav>
<main class="wrap">${sections.map((s) => `<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2>${s.html}</section>`).join('\n')}</main>
<footer>Generated by medloop eval · self-contained: no scripts, no external resources</footer>
</body></html>
`;
}
