// Deliberately broken chest X-rays: each pairs a rendering with a report it
// contradicts in one way — a posture out of bounds (rotated, shifted, scaled), a
// stated finding left out of the image, a finding drawn but not reported, a finding
// on the wrong side or in the wrong lobe.
import type { Raster } from '../../raster.js';
import { deriveSeed, inRange, itemRandom, pick, type Random } from '../random.js';
import { type CxrRenderParams, drawCxr, isCoherent, paramsForFindings, sampleFindings } from './render.js';
import { writeReport } from './report.js';
import { type CxrCriterion, type CxrFindings, FINDING_KEYS, type FindingKey, findingsToRecord, LOBES, recordToFindings, type Side } from './types.js';

export interface BrokenCxr {
  image: Raster;
  params: CxrRenderParams;
  /** The report the image contradicts (the stated condition). */
  report: string;
  /** What the report states. */
  stated: CxrFindings;
  kind: string;
  criterion: CxrCriterion;
}

interface Edit {
  /** Findings drawn and findings stated (posture kinds draw what they state). */
  drawn: CxrFindings;
  stated: CxrFindings;
  criterion: CxrCriterion;
  pose?: (p: CxrRenderParams, r: Random) => void;
}

export interface BrokenCxrKind {
  name: string;
  description: string;
  /** Builds the edit from a random coherent finding set (undefined = try another set). */
  make(f: CxrFindings, r: Random): Edit | undefined;
}

const on = (f: CxrFindings): FindingKey[] => {
  const rec = findingsToRecord(f);
  return FINDING_KEYS.filter((k) => rec[k]);
};
const withKey = (f: CxrFindings, k: FindingKey, value: boolean): CxrFindings => recordToFindings({ ...findingsToRecord(f), [k]: value });
const other = (s: Side): Side => (s === 'left' ? 'right' : 'left');

export const BROKEN_CXR_KINDS: readonly BrokenCxrKind[] = [
  {
    name: 'rotated',
    description: 'the patient rotated 20–30° in the frame',
    make: (f) => ({
      drawn: f,
      stated: f,
      criterion: 'posture',
      pose: (p, r) => {
        p.pose.theta = ((r() < 0.5 ? -1 : 1) * inRange(r, [20, 30]) * Math.PI) / 180;
      },
    }),
  },
  {
    name: 'shifted',
    description: 'the chest off-centre by a fifth of the image',
    make: (f) => ({
      drawn: f,
      stated: f,
      criterion: 'posture',
      pose: (p, r) => {
        const a = inRange(r, [-0.6, 0.6]) + (r() < 0.5 ? 0 : Math.PI);
        p.pose.tx = 0.2 * Math.cos(a);
        p.pose.ty = 0.2 * Math.sin(a);
      },
    }),
  },
  {
    name: 'scaled',
    description: 'the chest shrunk to 70% (wrong magnification)',
    make: (f) => ({
      drawn: f,
      stated: f,
      criterion: 'posture',
      pose: (p) => {
        p.pose.sx = 0.7;
        p.pose.sy = 0.7;
      },
    }),
  },
  {
    name: 'finding-absent',
    description: 'a finding the report states is missing from the image',
    make: (f, r) => {
      const keys = on(f);
      if (!keys.length) return undefined;
      const k = pick(r, keys);
      return { drawn: withKey(f, k, false), stated: f, criterion: k };
    },
  },
  {
    name: 'finding-unstated',
    description: 'the image shows a finding the report does not mention',
    make: (f, r) => {
      const candidates = FINDING_KEYS.filter((k) => !findingsToRecord(f)[k] && isCoherent(withKey(f, k, true)));
      if (!candidates.length) return undefined;
      const k = pick(r, candidates);
      return { drawn: withKey(f, k, true), stated: f, criterion: k };
    },
  },
  {
    name: 'wrong-side',
    description: 'an effusion or pneumothorax on the other side than reported',
    make: (f) => {
      for (const what of ['effusion', 'pneumothorax'] as const) {
        for (const s of ['right', 'left'] as const) {
          if (!f[what][s] || f[what][other(s)]) continue;
          const drawn: CxrFindings = structuredClone(f);
          drawn[what][s] = false;
          drawn[what][other(s)] = true;
          if (!isCoherent(drawn)) continue;
          return { drawn, stated: f, criterion: `${what}_${s}` as CxrCriterion };
        }
      }
      return undefined;
    },
  },
  {
    name: 'wrong-lobe',
    description: 'an opacity in another lobe than reported',
    make: (f, r) => {
      if (!f.opacity.length) return undefined;
      const from = pick(r, f.opacity);
      const to = LOBES.filter((l) => !f.opacity.includes(l) && isCoherent({ ...f, opacity: [...f.opacity.filter((o) => o !== from), l] }));
      if (!to.length) return undefined;
      const drawn: CxrFindings = { ...structuredClone(f), opacity: f.opacity.map((l) => (l === from ? pick(r, to) : l)).sort((a, b) => LOBES.indexOf(a) - LOBES.indexOf(b)) };
      return { drawn, stated: f, criterion: `opacity_${from}` as CxrCriterion };
    },
  },
];

export function brokenCxrKind(name: string): BrokenCxrKind {
  const k = BROKEN_CXR_KINDS.find((b) => b.name === name);
  if (!k) throw new RangeError(`unknown broken chest X-ray kind '${name}' (known: ${BROKEN_CXR_KINDS.map((b) => b.name).join(', ')})`);
  return k;
}

/** A chest X-ray with its report, contradicting each other in the way `kind` names. */
export function renderBrokenCxr(opts: { kind: string; seed: number; size?: number }): BrokenCxr {
  const kind = brokenCxrKind(opts.kind);
  // Findings are drawn with raised rates so most kinds find something to break.
  const rates = { cardiomegaly: 0.4, effusion: 0.35, opacity: 0.6, pneumothorax: 0.35 };
  for (let attempt = 0; attempt < 64; attempt++) {
    const seed = attempt === 0 ? opts.seed : deriveSeed(opts.seed, 'broken-cxr-retry', attempt);
    const r = itemRandom(seed, 'broken-cxr', kind.name);
    const edit = kind.make(sampleFindings(r, rates), r);
    if (!edit) continue;
    const params = paramsForFindings(edit.drawn, { size: opts.size ?? 64, seed });
    edit.pose?.(params, r);
    params.broken = { kind: kind.name, criterion: edit.criterion };
    const report = writeReport(edit.stated, itemRandom(seed, 'broken-cxr-report'));
    return { image: drawCxr(params), params, report, stated: edit.stated, kind: kind.name, criterion: edit.criterion };
  }
  throw new Error(`broken chest X-ray kind '${kind.name}': no applicable finding set after 64 tries (seed ${opts.seed})`);
}
