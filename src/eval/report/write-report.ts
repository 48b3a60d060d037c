// writeReport: report.html (self-contained) and metrics.json (the same numbers,
// machine-readable, without pixels) into one folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReport } from './html.js';
import type { ReportData } from './types.js';

export interface WrittenReport {
  html: string;
  json: string;
}

/** ReportData as JSON-ready data: rasters become counts, typed arrays plain arrays, non-finite numbers null. */
export function reportMetrics(data: ReportData, createdAt: string): Record<string, unknown> {
  const { samples, ...rest } = data;
  return {
    ...rest,
    createdAt,
    ...(samples ? { samples: samples.map((g) => ({ condition: g.condition, columns: g.columns.map((c) => ({ label: c.label, count: c.images.length })) })) } : {}),
  };
}

export function writeReport(outDir: string, data: ReportData): WrittenReport {
  mkdirSync(outDir, { recursive: true });
  const createdAt = data.createdAt ?? new Date().toISOString();
  const html = join(outDir, 'report.html');
  const json = join(outDir, 'metrics.json');
  writeFileSync(
    json,
    JSON.stringify(
      reportMetrics(data, createdAt),
      (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v),
      1,
    ),
  );
  writeFileSync(html, renderReport({ ...data, createdAt }));
  return { html, json };
}
