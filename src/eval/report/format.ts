// Number and text formatting shared by the report's tables and charts.
import type { MetricValue } from './types.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Compact, readable numbers: integers as they are, otherwise `digits` significant digits, no exponent for everyday sizes. */
export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return v.toLocaleString('en-US').replace(/,/g, ' ');
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) return v.toExponential(Math.max(1, digits - 2)).replace('-', '−');
  if (a >= 10 ** digits) return v.toFixed(0);
  return Number(v.toPrecision(digits)).toString().replace('-', '−');
}

/** The central value of a metric value (NaN when none). */
export function centralValue(v: MetricValue): number {
  if (v === null) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return NaN;
  return v.value ?? v.estimate ?? NaN;
}

export function intervalOf(v: MetricValue): [number, number] | null {
  if (v === null || typeof v !== 'object') return null;
  return v.lo !== undefined && v.hi !== undefined && Number.isFinite(v.lo) && Number.isFinite(v.hi) ? [v.lo, v.hi] : null;
}

/** HTML for a cell: the value, and its interval in smaller text. */
export function metricHtml(v: MetricValue, digits = 4): string {
  if (typeof v === 'string') return escapeHtml(v);
  const c = centralValue(v);
  const iv = intervalOf(v);
  const main = `<span class="num">${escapeHtml(formatNumber(c, digits))}</span>`;
  return iv ? `${main} <span class="ci">[${escapeHtml(formatNumber(iv[0], digits - 1))}, ${escapeHtml(formatNumber(iv[1], digits - 1))}]</span>` : main;
}
