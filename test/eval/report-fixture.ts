// A complete ReportData for the report tests and the docs screenshot: procedural
// "cells" (a disc with a darker nucleus, colour per class) stand in for samples,
// with every section filled.
import { type Raster, createRaster } from '../../src/data/raster.js';
import { seededRandom } from '../../src/data/random.js';
import { hackingGuard, type GuardPoint } from '../../src/eval/hacking-guard.js';
import { plausibilityRate } from '../../src/eval/metrics/plausibility.js';
import { wilsonInterval } from '../../src/eval/metrics/plausibility.js';
import type { ReportData } from '../../src/eval/report/types.js';

const CLASSES: Record<string, [number, number, number]> = {
  neutrophil: [0.55, 0.35, 0.65],
  eosinophil: [0.75, 0.35, 0.3],
  lymphocyte: [0.35, 0.3, 0.7],
};

function cell(colour: [number, number, number], random: () => number, blur: number): Raster {
  const size = 32;
  const r = createRaster(size, size, 3);
  const cx = 16 + (random() - 0.5) * 6;
  const cy = 16 + (random() - 0.5) * 6;
  const radius = 9 + random() * 4;
  const nucleus = radius * (0.45 + random() * 0.2);
  const nx = cx + (random() - 0.5) * 4;
  const ny = cy + (random() - 0.5) * 4;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - cx, y - cy);
      const dn = Math.hypot(x - nx, y - ny);
      const inCell = 1 / (1 + Math.exp((d - radius) / (0.6 + blur)));
      const inNucleus = 1 / (1 + Math.exp((dn - nucleus) / (0.5 + blur)));
      for (let c = 0; c < 3; c++) {
        const bg = [0.93, 0.86, 0.8][c]!;
        const cyto = 0.5 * bg + 0.5 * (colour[c]! + 0.3);
        const v = bg * (1 - inCell) + inCell * (cyto * (1 - inNucleus) + colour[c]! * 0.7 * inNucleus) + (random() - 0.5) * 0.04;
        r.data[3 * (y * size + x) + c] = Math.min(1, Math.max(0, v));
      }
    }
  return r;
}

export function demoReportData(): ReportData {
  const random = seededRandom(3);
  const series: GuardPoint[] = Array.from({ length: 20 }, (_, i) => ({
    step: i * 25,
    reward: 0.42 + 0.022 * i + (random() - 0.5) * 0.01,
    evaluator: (i < 11 ? 0.61 + 0.018 * i : 0.79 - 0.025 * (i - 11)) + (random() - 0.5) * 0.01,
  }));
  const classes = Object.keys(CLASSES);
  const judgements = (rate: number) => Array.from({ length: 90 }, (_, i) => ({ plausible: random() < rate, condition: classes[i % 3]! }));
  return {
    title: 'medloop evaluation — demo run',
    subtitle: 'Baseline generator v0 vs RWL-aligned v1 against pbc64 (real test split)',
    createdAt: '2025-01-01T12:00:00.000Z',
    meta: { baseline: 'run-v0', aligned: 'run-v1', extractor: 'cnn-classifier 128-d', 'samples/condition': 8 },
    headlines: [
      { label: 'FID (aligned)', value: { value: 0.412, lo: 0.39, hi: 0.44 }, hint: 'baseline 0.587 · lower is better', tone: 'good' },
      { label: 'Precision', value: 0.81, hint: 'baseline 0.74' },
      { label: 'Coverage', value: 0.77, hint: 'baseline 0.79' },
      { label: 'Plausibility', value: wilsonInterval(71, 90), hint: 'expert-rated', tone: 'good' },
      { label: 'TSTR accuracy', value: 0.842, hint: 'train-on-real 0.915' },
    ],
    tables: [
      {
        title: 'Fidelity and diversity',
        rowHeader: 'metric',
        columns: ['baseline', 'aligned', 'real (noise floor)'],
        rows: [
          { label: 'FID ↓', values: [{ value: 0.587, lo: 0.55, hi: 0.62 }, { value: 0.412, lo: 0.39, hi: 0.44 }, 0.006] },
          { label: 'precision ↑', values: [0.74, 0.81, 0.973] },
          { label: 'recall ↑', values: [0.71, 0.69, 0.973] },
          { label: 'density ↑', values: [0.88, 1.02, 1.02] },
          { label: 'coverage ↑', values: [0.79, 0.77, 0.968] },
          { label: 'within-class MS-SSIM', values: [0.21, 0.24, 0.19] },
        ],
        note: 'FID and PRDC (k = 5) in the domain classifier’s 128-d feature space; intervals are 95% bootstrap percentiles (1000 resamples, seed 0).',
      },
      {
        title: 'Downstream utility (test on real)',
        rowHeader: 'trained on',
        columns: ['accuracy', 'macro-F1', 'AUROC (macro OvR)'],
        rows: [
          { label: 'synthetic (aligned)', values: [0.842, 0.83, 0.975] },
          { label: 'real', values: [0.915, 0.91, 0.993] },
        ],
      },
    ],
    bars: [
      {
        title: 'FID per condition',
        yLabel: 'FID',
        categories: classes,
        series: [
          { name: 'baseline', values: [{ value: 0.62, lo: 0.55, hi: 0.7 }, { value: 0.71, lo: 0.62, hi: 0.8 }, { value: 0.5, lo: 0.44, hi: 0.57 }] },
          { name: 'aligned', values: [{ value: 0.44, lo: 0.39, hi: 0.5 }, { value: 0.47, lo: 0.41, hi: 0.54 }, { value: 0.39, lo: 0.34, hi: 0.45 }] },
        ],
        note: 'Whiskers: 95% bootstrap intervals.',
      },
      {
        title: 'Plausibility per condition',
        yLabel: 'P(plausible)',
        categories: classes,
        series: [
          { name: 'baseline', values: [0.55, 0.48, 0.62] },
          { name: 'aligned', values: [0.8, 0.76, 0.81] },
        ],
      },
    ],
    samples: classes.map((c) => ({
      condition: c,
      columns: [
        { label: 'baseline', images: Array.from({ length: 8 }, () => cell(CLASSES[c]!, random, 1.5)) },
        { label: 'aligned', images: Array.from({ length: 8 }, () => cell(CLASSES[c]!, random, 0.2)) },
      ],
    })),
    curves: [
      {
        title: 'Alignment reward and loss',
        xLabel: 'step',
        series: [
          { name: 'mean reward', points: series.map((p) => [p.step, p.reward] as const) },
          { name: 'loss', points: series.map((p, i) => [p.step, 0.9 * Math.exp(-i / 8) + 0.1] as const) },
        ],
      },
    ],
    hacking: { series, result: hackingGuard(series, { window: 5 }), rewardName: 'reward model P(plausible)', evaluatorName: 'held-out classifier accuracy' },
    study: {
      plausibility: { baseline: plausibilityRate(judgements(0.55)), aligned: plausibilityRate(judgements(0.79)) },
      agreement: {
        fleissKappa: 0.61,
        krippendorffAlpha: { alpha: 0.6, observedDisagreement: 0.18, expectedDisagreement: 0.45 },
        cohenPairs: [
          { raterA: 'r1', raterB: 'r2', kappa: 0.66, n: 90 },
          { raterA: 'r1', raterB: 'r3', kappa: 0.58, n: 90 },
        ],
      },
      goldAccuracy: { r1: 0.95, r2: 0.9, r3: 0.85 },
    },
    notes: ['Features: CNN classifier trained on the real training split at 32×32 (held-out accuracy in metrics.json).', 'MS-SSIM at 32×32 uses 2 scales (weights renormalised).'],
    metrics: { example: { nested: [1, 2, 3] } },
  };
}
