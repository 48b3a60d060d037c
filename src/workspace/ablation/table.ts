// The ablation table in markdown, laid out like CXRL's Tables 1–2: one row per
// model, the three rewards (absolute means), the oracle's report-agreement rate
// with its Wilson interval, and within-report MS-SSIM; each arm's cell shows its
// change from the pretrained baseline, in bold where that change is an improvement.
import { CXR_REWARDS, type CxrRewardName } from './arms.js';
import type { ModelScores } from './model-scores.js';

export interface AblationRow {
  /** 'real', 'baseline' or an arm's name. */
  name: string;
  label: string;
  scores: ModelScores;
}

const REWARD_HEAD: Record<CxrRewardName, string> = { posture: 'Posture ↑', diagnostic: 'Diagnostic ↑', consistency: 'Consistency ↑' };

/** `x` (times `scale`) with `digits` decimals; NaN as '–'. */
const show = (x: number, scale: number, digits: number) => (Number.isFinite(x) ? (x * scale).toFixed(digits) : '–');
const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

/**
 * A cell: the value, and for arms its change from the baseline, bold when better in
 * the metric's direction by at least the last shown digit (a '+0.000' is not a gain).
 */
function cell(value: number, base: number | undefined, higherIsBetter: boolean, scale = 1, digits = 3): string {
  if (!Number.isFinite(value)) return '–';
  if (base === undefined || !Number.isFinite(base)) return show(value, scale, digits);
  const d = Number(((value - base) * scale).toFixed(digits));
  const text = `${show(value, scale, digits)} (${signed(d, digits)})`;
  return (higherIsBetter ? d > 0 : d < 0) ? `**${text}**` : text;
}

export function ablationTable(rows: readonly AblationRow[]): string {
  const base = rows.find((r) => r.name === 'baseline')?.scores;
  const head = ['Model', ...CXR_REWARDS.map((r) => REWARD_HEAD[r]), 'Oracle agreement ↑ % [95% CI]', 'MS-SSIM ↓'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) {
    const s = row.scores;
    const ref = row.name === 'baseline' || row.name === 'real' ? undefined : base;
    const rate = s.oracle.rate;
    const oracle = `${cell(rate.estimate, ref?.oracle.rate.estimate, true, 100, 1)} [${show(rate.lo, 100, 1)}–${show(rate.hi, 100, 1)}]`;
    lines.push(`| ${[row.label, ...CXR_REWARDS.map((r) => cell(s.rewards[r].mean, ref?.rewards[r].mean, true)), oracle, cell(s.msSsim, ref?.msSsim, false)].join(' | ')} |`);
  }
  return lines.join('\n');
}
