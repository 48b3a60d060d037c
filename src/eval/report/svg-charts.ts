// Inline SVG charts (no script, no external fonts): line charts for training
// curves and grouped bar charts with interval whiskers for per-condition metrics.
import { centralValue, escapeHtml, formatNumber, intervalOf } from './format.js';
import type { BarChart, LineChart } from './types.js';

/** Okabe–Ito colours: distinguishable with common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#7F7F7F', '#F0E442'];

/** About `count` round tick values covering [lo, hi] (1, 2, 5 × 10ⁿ steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) {
    const d = Math.abs(lo) || 1;
    lo -= d * 0.5;
    hi += d * 0.5;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.ceil(lo / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : +v.toPrecision(12));
  return ticks;
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const FRAME: Frame = { width: 560, height: 260, left: 56, right: 16, top: 16, bottom: 44 };

function legend(names: string[], x: number, y: number): string {
  let out = '';
  let cx = x;
  names.forEach((name, i) => {
    out += `<rect x="${cx}" y="${y - 8}" width="10" height="10" rx="2" fill="${PALETTE[i % PALETTE.length]}"/><text x="${cx + 14}" y="${y + 1}" class="lg">${escapeHtml(name)}</text>`;
    cx += 24 + name.length * 6.5;
  });
  return out;
}

function axes(f: Frame, xTicks: { pos: number; label: string }[], yTicks: number[], y: (v: number) => number, xLabel?: string, yLabel?: string): string {
  const x0 = f.left;
  const x1 = f.width - f.right;
  let out = '';
  for (const t of yTicks) {
    const py = y(t).toFixed(1);
    out += `<line x1="${x0}" x2="${x1}" y1="${py}" y2="${py}" class="grid"/><text x="${x0 - 6}" y="${py}" class="tk" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatNumber(t, 3))}</text>`;
  }
  const base = f.height - f.bottom;
  out += `<line x1="${x0}" x2="${x1}" y1="${base}" y2="${base}" class="axis"/>`;
  for (const t of xTicks) out += `<text x="${t.pos.toFixed(1)}" y="${base + 15}" class="tk" text-anchor="middle">${escapeHtml(t.label)}</text>`;
  if (xLabel) out += `<text x="${(x0 + x1) / 2}" y="${f.height - 6}" class="al" text-anchor="middle">${escapeHtml(xLabel)}</text>`;
  if (yLabel) out += `<text transform="translate(12 ${(f.top + base) / 2}) rotate(-90)" class="al" text-anchor="middle">${escapeHtml(yLabel)}</text>`;
  return out;
}

function svg(f: Frame, title: string, body: string): string {
  return `<svg class="chart" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${escapeHtml(title)}">${body}</svg>`;
}

export function lineChartSvg(chart: LineChart): string {
  const f = { ...FRAME, top: chart.series.length > 1 ? 30 : FRAME.top };
  const pts = chart.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length === 0) return `<p class="empty">No data for “${escapeHtml(chart.title)}”.</p>`;
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const [xLo, xHi] = [Math.min(...xs), Math.max(...xs)];
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys));
  const [yLo, yHi] = [Math.min(yTicks[0]!, ...ys), Math.max(yTicks[yTicks.length - 1]!, ...ys)];
  const x = (v: number) => f.left + ((v - xLo) / (xHi - xLo || 1)) * (f.width - f.left - f.right);
  const y = (v: number) => f.height - f.bottom - ((v - yLo) / (yHi - yLo || 1)) * (f.height - f.top - f.bottom);
  let body = '';
  for (const s of chart.shade ?? []) {
    const a = x(Math.max(xLo, s.from));
    const b = x(Math.min(xHi, s.to));
    body += `<rect x="${a.toFixed(1)}" y="${f.top}" width="${Math.max(2, b - a).toFixed(1)}" height="${f.height - f.top - f.bottom}" class="shade"><title>${escapeHtml(s.label ?? 'flagged')}</title></rect>`;
  }
  body += axes(f, niceTicks(xLo, xHi, 6).filter((t) => t >= xLo && t <= xHi).map((t) => ({ pos: x(t), label: formatNumber(t, 3) })), yTicks.filter((t) => t >= yLo && t <= yHi), y, chart.xLabel, chart.yLabel);
  chart.series.forEach((s, i) => {
    const good = s.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
    const colour = PALETTE[i % PALETTE.length];
    const d = good.map(([px, py], j) => `${j ? 'L' : 'M'}${x(px).toFixed(1)} ${y(py).toFixed(1)}`).join('');
    body += `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round"/>`;
    if (good.length <= 40) for (const [px, py] of good) body += `<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="2.5" fill="${colour}"/>`;
  });
  if (chart.series.length > 1) body += legend(chart.series.map((s) => s.name), f.left, 14);
  return svg(f, chart.title, body);
}

export function barChartSvg(chart: BarChart): string {
  const f = { ...FRAME, top: chart.series.length > 1 ? 30 : FRAME.top, bottom: 56 };
  const vals = chart.series.flatMap((s) => s.values.flatMap((v) => [centralValue(v), ...(intervalOf(v) ?? [])])).filter(Number.isFinite);
  if (vals.length === 0) return `<p class="empty">No data for “${escapeHtml(chart.title)}”.</p>`;
  const yTicks = niceTicks(Math.min(0, ...vals), Math.max(0, ...vals));
  const [yLo, yHi] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const y = (v: number) => f.height - f.bottom - ((v - yLo) / (yHi - yLo || 1)) * (f.height - f.top - f.bottom);
  const plotW = f.width - f.left - f.right;
  const groupW = plotW / Math.max(1, chart.categories.length);
  const barW = Math.min(28, (groupW * 0.75) / Math.max(1, chart.series.length));
  let body = axes(
    f,
    chart.categories.map((c, i) => ({ pos: f.left + groupW * (i + 0.5), label: c.length > 12 ? `${c.slice(0, 11)}…` : c })),
    yTicks,
    y,
    undefined,
    chart.yLabel,
  );
  chart.categories.forEach((cat, i) => {
    const start = f.left + groupW * (i + 0.5) - (barW * chart.series.length) / 2;
    chart.series.forEach((s, j) => {
      const v = centralValue(s.values[i] ?? null);
      if (!Number.isFinite(v)) return;
      const bx = start + j * barW;
      const top = y(Math.max(0, v));
      const h = Math.abs(y(v) - y(0));
      body += `<rect x="${(bx + 1).toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${Math.max(0.5, h).toFixed(1)}" rx="2" fill="${PALETTE[j % PALETTE.length]}"><title>${escapeHtml(`${cat} · ${s.name}: ${formatNumber(v)}`)}</title></rect>`;
      const iv = intervalOf(s.values[i] ?? null);
      if (iv) {
        const cx = (bx + barW / 2).toFixed(1);
        body += `<path d="M${cx} ${y(iv[0]).toFixed(1)}V${y(iv[1]).toFixed(1)}M${(bx + barW / 2 - 4).toFixed(1)} ${y(iv[0]).toFixed(1)}h8M${(bx + barW / 2 - 4).toFixed(1)} ${y(iv[1]).toFixed(1)}h8" class="whisker"/>`;
      }
    });
  });
  if (chart.series.length > 1) body += legend(chart.series.map((s) => s.name), f.left, 14);
  return svg(f, chart.title, body);
}
