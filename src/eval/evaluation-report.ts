// Turns an EvaluationResult (plus optional rating-study, hacking-guard and
// training-curve data) into ReportData: headline cards, metric tables with
// intervals, per-condition charts and side-by-side sample grids.
import type { Raster } from '../data/raster.js';
import type { EvaluationResult, SetEvaluation } from './evaluate.js';
import type { GuardPoint, HackingGuardResult } from './hacking-guard.js';
import { setSideEffects } from './side-effects.js';
import type { Headline, LineChart, MetricTable, RatingStudy, ReportData, SampleGrid } from './report/types.js';

export interface EvaluationReportExtras {
  title?: string;
  subtitle?: string;
  meta?: Record<string, string | number | boolean>;
  /** Images per condition per set for the grids (set name → rasters with conditions); 'real' is shown last. */
  grids?: { name: string; rasters: Raster[]; conditions: string[] }[];
  /** Images per grid panel (default 8). */
  perPanel?: number;
  study?: RatingStudy;
  hacking?: { series: GuardPoint[]; result: HackingGuardResult; rewardName?: string; evaluatorName?: string };
  curves?: LineChart[];
  notes?: string[];
  /** More machine-readable results for metrics.json (e.g. the extractor's accuracy). */
  metrics?: Record<string, unknown>;
  /** The set the headline cards describe (default: the last), against the first. */
  headlineSet?: string;
}


function utilityTable(sets: SetEvaluation[]): MetricTable | null {
  const withUtility = sets.filter((s) => s.utility);
  if (!withUtility.length) return null;
  const rows = withUtility.map((s) => ({ label: `synthetic: ${s.name}`, values: [s.utility!.trainOnSynthetic.accuracy, s.utility!.trainOnSynthetic.macroF1, s.utility!.trainOnSynthetic.aurocMacro, s.count] }));
  const real = withUtility.find((s) => s.utility!.trainOnReal)?.utility!.trainOnReal;
  if (real) rows.push({ label: 'real (training split)', values: [real.accuracy, real.macroF1, real.aurocMacro, NaN] });
  return {
    title: 'Downstream utility: trained on…, tested on real held-out images',
    rowHeader: 'trained on',
    columns: ['accuracy', 'macro-F1', 'AUROC (macro, one-vs-rest)', 'training images'],
    rows,
    digits: 3,
    note: 'The same CNN architecture and optimiser settings for every row; the real row is the domain classifier itself.',
  };
}

/** The card of what `set` lost against `baseline`: diversity, fidelity, or neither (none when a figure is missing). */
function sideEffectsCard(baseline: SetEvaluation, set: SetEvaluation, noiseFloorFid: number): Headline[] {
  const e = setSideEffects(baseline, set, { noiseFloorFid });
  if (!e) return [];
  const lost = [e.diversityHeld ? '' : 'diversity', e.fidelityHeld ? '' : 'fidelity'].filter(Boolean);
  return [{ label: `side effects · ${set.name} vs ${baseline.name}`, value: lost.length ? `${lost.join(' and ')} lost` : 'held', hint: e.message, tone: lost.length ? 'bad' : 'good' }];
}

export function evaluationReportData(result: EvaluationResult, extras: EvaluationReportExtras = {}): ReportData {
  const sets = result.sets;
  const last = sets.find((s) => s.name === extras.headlineSet) ?? sets[sets.length - 1];
  const first = sets.length > 1 && last !== sets[0] ? sets[0] : undefined;
  const floor = result.reference.noiseFloor;
  const headlines: Headline[] = [];
  if (last) {
    headlines.push({
      label: `FID · ${last.name}`,
      value: { value: last.fid.estimate, lo: last.fid.lo, hi: last.fid.hi },
      hint: `${first ? `${first.name} ${first.fid.estimate.toPrecision(3)} · ` : ''}real floor ${floor.fid.toPrecision(3)}`,
      ...(first ? { tone: last.fid.estimate <= first.fid.estimate ? ('good' as const) : ('bad' as const) } : {}),
    });
    for (const key of ['precision', 'recall', 'density', 'coverage'] as const) {
      headlines.push({ label: `${key} · ${last.name}`, value: last.prdc[key], hint: `${first ? `${first.name} ${first.prdc[key].toPrecision(3)} · ` : ''}real ${floor.prdc[key].toPrecision(3)}` });
    }
    if (last.classAgreement) {
      const r = last.classAgreement.rate;
      headlines.push({ label: `class agreement · ${last.name}`, value: { value: r.estimate, lo: r.lo, hi: r.hi }, hint: `${first?.classAgreement ? `${first.name} ${first.classAgreement.rate.estimate.toPrecision(3)} · ` : ''}share the domain classifier assigns to their intended class` });
    }
    headlines.push({ label: `MS-SSIM within class · ${last.name}`, value: last.diversity.mean, hint: `real ${result.reference.diversity.mean.toPrecision(3)} · lower = more diverse` });
    // what each set lost against the first (the baseline) beside what it was aligned for
    if (first) headlines.push(...sets.filter((s) => s !== first).flatMap((s) => sideEffectsCard(first, s, floor.fid)));
    if (last.utility) headlines.push({ label: `TSTR accuracy · ${last.name}`, value: last.utility.trainOnSynthetic.accuracy, hint: last.utility.trainOnReal ? `train-on-real ${last.utility.trainOnReal.accuracy.toPrecision(3)}` : '' });
  }
  const columns = [...sets.map((s) => s.name), `real vs real (n=${floor.sampleSize})`];
  const tables: MetricTable[] = [
    {
      title: 'Fidelity and diversity',
      rowHeader: 'metric',
      columns,
      rows: [
        { label: 'FID ↓', values: [...sets.map((s) => ({ value: s.fid.estimate, lo: s.fid.lo, hi: s.fid.hi })), floor.fid] },
        { label: 'precision ↑', values: [...sets.map((s) => s.prdc.precision), floor.prdc.precision] },
        { label: 'recall ↑', values: [...sets.map((s) => s.prdc.recall), floor.prdc.recall] },
        { label: 'density ↑', values: [...sets.map((s) => s.prdc.density), floor.prdc.density] },
        { label: 'coverage ↑', values: [...sets.map((s) => s.prdc.coverage), floor.prdc.coverage] },
        ...(sets.some((s) => s.classAgreement) ? [{ label: 'class agreement ↑', values: [...sets.map((s) => (s.classAgreement ? { value: s.classAgreement.rate.estimate, lo: s.classAgreement.rate.lo, hi: s.classAgreement.rate.hi } : null)), null] }] : []),
        { label: 'within-class MS-SSIM (≈ real)', values: [...sets.map((s) => s.diversity.mean), result.reference.diversity.mean] },
        { label: 'images', values: [...sets.map((s) => s.count), floor.sampleSize] },
      ],
      note: `Against ${result.reference.count} real held-out images in the domain classifier's ${result.featureDim}-d feature space. PRDC with k = ${result.k}. FID intervals: 95% bootstrap percentiles over ${result.bootstrap} resamples of both sets (resampling inflates FID, so the interval can sit above the estimate). The last column scores ${floor.sampleSize} real held-out images against the other ${floor.referenceSize}: what a perfect generator scores with this many samples (FID and coverage depend on sample count).`,
    },
  ];
  const conditions = [...new Set(sets.flatMap((s) => Object.keys(s.perCondition)))].sort();
  if (conditions.length) {
    tables.push({
      title: 'Per condition',
      rowHeader: 'condition',
      columns: sets.flatMap((s) => [`${s.name} FID`, `${s.name} precision`, `${s.name} coverage`, `${s.name} MS-SSIM`]).concat(['real MS-SSIM']),
      rows: conditions.map((c) => ({
        label: c,
        values: sets
          .flatMap((s) => {
            const pc = s.perCondition[c];
            return [pc?.fid ?? null, pc?.prdc.precision ?? null, pc?.prdc.coverage ?? null, s.diversity.perCondition[c]?.msSsim ?? null];
          })
          .concat([result.reference.diversity.perCondition[c]?.msSsim ?? null]),
      })),
      digits: 3,
    });
  }
  const ut = utilityTable(sets);
  if (ut) tables.push(ut);
  const bars = conditions.length
    ? [
        { title: 'FID per condition (lower is better)', yLabel: 'FID', categories: conditions, series: sets.map((s) => ({ name: s.name, values: conditions.map((c) => s.perCondition[c]?.fid ?? null) })) },
        {
          title: 'Within-condition MS-SSIM (closer to real is better)',
          yLabel: 'MS-SSIM',
          categories: conditions,
          series: [...sets.map((s) => ({ name: s.name, values: conditions.map((c) => s.diversity.perCondition[c]?.msSsim ?? null) })), { name: 'real', values: conditions.map((c) => result.reference.diversity.perCondition[c]?.msSsim ?? null) }],
        },
      ]
    : [];
  const samples: SampleGrid[] = [];
  if (extras.grids?.length) {
    const per = extras.perPanel ?? 8;
    const conds = [...new Set(extras.grids.flatMap((g) => g.conditions))].sort();
    for (const c of conds) {
      samples.push({
        condition: c,
        columns: extras.grids.map((g) => ({ label: g.name, images: g.rasters.filter((_, i) => g.conditions[i] === c).slice(0, per) })),
      });
    }
  }
  return {
    title: extras.title ?? 'medloop evaluation',
    ...(extras.subtitle ? { subtitle: extras.subtitle } : {}),
    meta: { 'real images': result.reference.count, features: `${result.featureDim}-d`, ...Object.fromEntries(sets.map((s) => [s.name, `${s.count} samples`])), ...extras.meta },
    headlines,
    tables,
    bars,
    samples,
    ...(extras.curves?.length ? { curves: extras.curves } : {}),
    ...(extras.hacking ? { hacking: extras.hacking } : {}),
    ...(extras.study ? { study: extras.study } : {}),
    notes: [
      `FID: Fréchet distance between Gaussians fitted (float64) to the features; the matrix square root via the eigenvalues of √Σ₁ Σ₂ √Σ₁.`,
      `Precision / recall / density / coverage: Naeem et al. 2020, k = ${result.k}, Euclidean k-NN balls in feature space.`,
      'MS-SSIM: Gaussian window 11, σ 1.5; images under 176 px use fewer than the standard 5 scales (2 at 32×32, 3 at 64×64) with the first weights renormalised. Mean over random same-condition pairs.',
      ...(extras.notes ?? []),
    ],
    metrics: { evaluation: result, ...extras.metrics },
  };
}

