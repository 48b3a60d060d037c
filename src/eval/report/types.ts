// The input of writeReport: plain data (numbers, intervals, rasters), so any
// stage — the CLI, an alignment run, a test — can assemble a report without the
// report knowing how the numbers were made.
import type { Raster } from '../../data/raster.js';
import type { GuardPoint, HackingGuardResult } from '../hacking-guard.js';
import type { PlausibilityResult } from '../metrics/plausibility.js';

/** A point value with an optional interval (an `Interval` from bootstrapCi fits: estimate/lo/hi). */
export interface ValueWithInterval {
  value?: number;
  estimate?: number;
  lo?: number;
  hi?: number;
  level?: number;
}

/** What a table cell, headline or bar holds. Strings are shown as they are; null/NaN as a dash. */
export type MetricValue = number | string | null | ValueWithInterval;

export interface MetricTable {
  title: string;
  /** Column headers after the row-label column. */
  columns: string[];
  rows: { label: string; values: MetricValue[] }[];
  /** Header of the row-label column (default ''). */
  rowHeader?: string;
  /** Shown under the table: what the metric means, which direction is better. */
  note?: string;
  /** Significant digits for numbers (default 4). */
  digits?: number;
}

export interface Headline {
  label: string;
  value: MetricValue;
  /** Small text under the number (e.g. "lower is better", "baseline 12.3"). */
  hint?: string;
  /** Colours the card: good / bad / neutral. */
  tone?: 'good' | 'bad' | 'neutral';
}

export interface SampleGrid {
  condition: string;
  /** Side-by-side panels, e.g. baseline | aligned | real. Images of one panel share a size. */
  columns: { label: string; images: Raster[] }[];
}

export interface LineSeries {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
}

export interface LineChart {
  title: string;
  xLabel?: string;
  yLabel?: string;
  series: LineSeries[];
  /** x ranges to shade, e.g. steps the hacking guard flagged. */
  shade?: { from: number; to: number; label?: string }[];
}

export interface BarChart {
  title: string;
  yLabel?: string;
  /** Groups along the x axis (e.g. conditions). */
  categories: string[];
  /** One bar per series in each group (e.g. baseline, aligned); intervals draw whiskers. */
  series: { name: string; values: MetricValue[] }[];
  note?: string;
}

export interface RatingStudy {
  /** Any agreement summary, e.g. { fleissKappa, krippendorffAlpha, cohenPairs } or feedback's AgreementSummary. */
  agreement?: Record<string, unknown>;
  /** Expert plausibility per model/run (name → result). */
  plausibility?: Record<string, PlausibilityResult>;
  /** Gold-item accuracy per rater. */
  goldAccuracy?: Record<string, number>;
  note?: string;
}

export interface HackingSection {
  series: GuardPoint[];
  result: HackingGuardResult;
  rewardName?: string;
  evaluatorName?: string;
}

export interface ReportData {
  title: string;
  subtitle?: string;
  /** ISO time (default: now). */
  createdAt?: string;
  /** Key facts in the header: run ids, data set, feature extractor, sample counts. */
  meta?: Record<string, string | number | boolean>;
  headlines?: Headline[];
  tables?: MetricTable[];
  bars?: BarChart[];
  samples?: SampleGrid[];
  curves?: LineChart[];
  hacking?: HackingSection;
  study?: RatingStudy;
  /** Method notes shown at the end (one paragraph each). */
  notes?: string[];
  /** Extra machine-readable results: written to metrics.json only. */
  metrics?: Record<string, unknown>;
}
