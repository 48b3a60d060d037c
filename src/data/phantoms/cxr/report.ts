// Free-text reports for chest X-ray phantoms, and the parser back to findings.
// `writeReport` words the findings with varied templates ("Enlarged cardiac
// silhouette. Small right pleural effusion. No pneumothorax."); `parseReport` reads
// such text — and the usual phrasings of real reports — into structured findings, so
// an image can be judged against what a report states.
import { chance, pick, type Random } from '../random.js';
import type { EffusionSize, PneumothoraxSize } from './render.js';
import { type CxrFindings, FINDING_KEYS, type FindingKey, findingsToRecord, LOBE_NAMES, LOBES, type Lobe, noFindings, recordToFindings, type Side, SIDES } from './types.js';

export interface ReportDetails {
  effusion?: Partial<Record<Side, EffusionSize | null>>;
  pneumothorax?: Partial<Record<Side, PneumothoraxSize | null>>;
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function lobeName(r: Random, l: Lobe): string {
  return chance(r, 0.15) ? l.toUpperCase() : LOBE_NAMES[l];
}

function andList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A report for the findings, worded at random (deterministic in `random`). */
export function writeReport(f: CxrFindings, random: Random, details: ReportDetails = {}): string {
  const r = random;
  const out: string[] = [];
  const normal = !f.cardiomegaly && !f.effusion.left && !f.effusion.right && f.opacity.length === 0 && !f.pneumothorax.left && !f.pneumothorax.right;
  if (normal && chance(r, 0.4)) return pick(r, ['No acute cardiopulmonary abnormality.', 'Normal chest radiograph.', 'No acute cardiopulmonary process.']);

  if (f.cardiomegaly) out.push(pick(r, ['Enlarged cardiac silhouette.', 'Cardiomegaly.', 'The heart is enlarged.', 'Cardiac silhouette is enlarged.', 'Moderate cardiomegaly.']));
  else if (chance(r, 0.8)) out.push(pick(r, ['Heart size is normal.', 'Normal cardiac silhouette.', 'The cardiomediastinal silhouette is within normal limits.', 'No cardiomegaly.']));

  if (f.opacity.length === 1) {
    const l = lobeName(r, f.opacity[0]!);
    out.push(pick(r, [`Focal opacity in the ${l}.`, `${cap(l)} consolidation.`, `Patchy airspace opacity in the ${l}.`, `There is a focal consolidation in the ${l}.`]));
  } else if (f.opacity.length > 1) {
    const ls = andList(f.opacity.map((l) => lobeName(r, l)));
    out.push(pick(r, [`Opacities in the ${ls}.`, `Consolidation in the ${ls}.`, `Patchy airspace opacities in the ${ls}.`]));
  } else if (chance(r, 0.8)) out.push(pick(r, ['Lungs are clear.', 'No focal consolidation.', 'No focal airspace opacity.']));

  const effSize = (s: Side): EffusionSize => details.effusion?.[s] ?? 'small';
  if (f.effusion.left && f.effusion.right) {
    out.push(pick(r, [`${cap(effSize('right'))} bilateral pleural effusions.`, 'Bilateral pleural effusions.', 'Pleural effusions on both sides.']));
  } else {
    for (const s of SIDES) {
      if (!f.effusion[s]) continue;
      const size = effSize(s);
      const options = [`${cap(size)} ${s} pleural effusion.`, `${cap(s)} pleural effusion, ${size}.`, `There is a ${size} ${s}-sided pleural effusion.`];
      if (size === 'small') options.push(`Blunting of the ${s} costophrenic angle, consistent with a small effusion.`);
      out.push(pick(r, options));
    }
  }
  const anyEffusion = f.effusion.left || f.effusion.right;
  const anyPtx = f.pneumothorax.left || f.pneumothorax.right;
  for (const s of SIDES) {
    if (!f.pneumothorax[s]) continue;
    const size = details.pneumothorax?.[s] ?? 'small';
    const options = [`${cap(size)} ${s} pneumothorax.`, `There is a ${size} ${s}-sided pneumothorax.`, `${cap(s)} pneumothorax.`];
    if (size === 'small') options.push(`Small ${s} apical pneumothorax.`);
    out.push(pick(r, options));
  }
  if (!anyEffusion && !anyPtx && chance(r, 0.85)) out.push(pick(r, ['No pleural effusion or pneumothorax.', 'No effusion or pneumothorax.', 'No pleural effusion. No pneumothorax.']));
  else if (!anyEffusion && chance(r, 0.7)) out.push(pick(r, ['No pleural effusion.', 'No effusion.', 'The costophrenic angles are sharp.']));
  else if (!anyPtx && chance(r, 0.7)) out.push('No pneumothorax.');
  return out.join(' ');
}

const NEGATION = /\b(no|without|negative for|free of|not|resolved)\b|lungs are clear|clear lungs|within normal limits|\bis normal\b|\bnormal (cardiac|heart|cardiomediastinal)|\bare sharp\b|unremarkable/;

/** Lobes named in a sentence: "right middle and left lower lobes", "RUL", "lingula", "right base"… */
function lobesIn(s: string): Lobe[] {
  const found = new Set<Lobe>();
  for (const m of s.matchAll(/\b(rul|rml|rll|lul|lll)\b/g)) found.add(m[1] as Lobe);
  if (/lingula/.test(s)) found.add('lul');
  if (/bibasilar|both bases|bilateral lower/.test(s)) {
    found.add('rll');
    found.add('lll');
  }
  // Side words and level words in order; a level takes the most recent side.
  let side: 'r' | 'l' | undefined;
  for (const m of s.matchAll(/\b(right|left|upper|middle|lower|apical|apex|basilar|base|basal)\b/g)) {
    const w = m[1]!;
    if (w === 'right' || w === 'left') side = w === 'right' ? 'r' : 'l';
    else if (side) {
      const level = w === 'upper' || w === 'apical' || w === 'apex' ? 'u' : w === 'middle' ? 'm' : 'l';
      const lobe = `${side}${level}l` as Lobe;
      if (LOBES.includes(lobe)) found.add(lobe);
      else if (side === 'l' && level === 'm') found.add('lul');
    }
  }
  return LOBES.filter((l) => found.has(l));
}

function sidesIn(s: string): Side[] {
  if (/\b(bilateral|both|bilaterally)\b|effusions\b/.test(s) && !/\b(right|left)\b/.test(s)) return ['right', 'left'];
  const out: Side[] = [];
  if (/\bright\b/.test(s)) out.push('right');
  if (/\bleft\b/.test(s)) out.push('left');
  return out.length ? out : ['right', 'left'];
}

/** Findings a report states as present (anything not stated is absent). */
export function parseReport(text: string): CxrFindings {
  const f = noFindings();
  const sentences = text
    .toLowerCase()
    .replace(/\b(impression|findings)\s*:/g, '. ')
    .split(/[.;\n]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of sentences) {
    if (NEGATION.test(s)) continue;
    if (/cardiomegaly|enlarged (cardiac|heart)|(heart|cardiac silhouette|cardiac shadow)( size)? is enlarged|cardiac enlargement|heart is enlarged/.test(s)) f.cardiomegaly = true;
    if (/effusion|costophrenic angle.*blunt|blunting of the .*costophrenic/.test(s)) for (const side of sidesIn(s)) f.effusion[side] = true;
    if (/opacit|consolidat|airspace disease|infiltrat|pneumonia/.test(s)) for (const l of lobesIn(s)) if (!f.opacity.includes(l)) f.opacity.push(l);
    if (/pneumothora/.test(s)) for (const side of sidesIn(s)) f.pneumothorax[side] = true;
  }
  f.opacity.sort((a, b) => LOBES.indexOf(a) - LOBES.indexOf(b));
  return f;
}

/** `parseReport` as a flat record (the reward module's FindingsParser shape). */
export function parseReportRecord(text: string): Record<FindingKey, boolean> {
  return findingsToRecord(parseReport(text));
}

/**
 * A stated condition: a report, or a finding label as written in metadata.csv
 * ('normal', 'cardiomegaly|effusion_right').
 */
export function parseCondition(condition: string): CxrFindings {
  const c = condition.trim().toLowerCase();
  const tokens = c.split('|').map((t) => t.trim());
  if (c === 'normal' || c === 'no_finding') return noFindings();
  if (tokens.length > 0 && tokens.every((t) => (FINDING_KEYS as readonly string[]).includes(t))) return recordToFindings(Object.fromEntries(tokens.map((t) => [t, true])));
  return parseReport(condition);
}
