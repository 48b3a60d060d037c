// Deliberately broken blood-cell renderings: each kind edits the sampled parameters
// so that exactly one checklist criterion is violated for the stated class (wrong
// lobe count, missing granules, wrong cytoplasm colour…). The label stays the class
// it claims to be; an oracle (or a rater) should call the image implausible.
import { chance, deriveSeed, itemRandom, type Random } from '../random.js';
import { CYTOPLASM_COLOURS, GRANULES, NUCLEUS_LOOSE, NUCLEUS_PALE, NUCLEUS_PYKNOTIC, type RGB } from './appearance.js';
import { type CellPlacement, type CellRenderParams, drawCell, type RenderedCell, sampleCellParams } from './render.js';
import type { CellCriterion, CellLabel } from './types.js';

export interface BrokenCellKind {
  name: string;
  /** The criterion the edit violates. */
  criterion: CellCriterion;
  description: string;
  /** Classes for which the edit is a clear violation. */
  appliesTo: readonly CellLabel[];
  apply(p: CellRenderParams, random: Random): void;
  /** Whether the drawing really shows the violation (placement can fall short); default yes. */
  drawn?(p: CellRenderParams, placed: CellPlacement): boolean;
}

const SMALL: readonly CellLabel[] = ['lymphocyte', 'erythroblast', 'platelet'];

function granulesFrom(g: (typeof GRANULES)[keyof typeof GRANULES], count: number): CellRenderParams['granules'] {
  return { colour: g.colour, overNucleus: false, count, radius: (g.radius[0] + g.radius[1]) / 2 };
}

export const BROKEN_CELL_KINDS: readonly BrokenCellKind[] = [
  {
    name: 'wrong-size',
    criterion: 'cell_size',
    description: 'a small cell drawn giant, or a large one shrunk',
    appliesTo: ['basophil', 'eosinophil', 'erythroblast', 'ig', 'lymphocyte', 'monocyte', 'neutrophil', 'platelet'],
    apply(p) {
      if (p.label === 'platelet') p.diameter *= 2.6;
      else if (SMALL.includes(p.label)) p.diameter *= 1.65;
      else p.diameter *= 0.6;
    },
  },
  {
    name: 'wrong-lobes',
    criterion: 'nucleus_shape',
    description: 'the wrong nuclear form: a round nucleus in a neutrophil, three lobes in a lymphocyte, a nucleus in a platelet…',
    appliesTo: ['eosinophil', 'erythroblast', 'ig', 'lymphocyte', 'monocyte', 'neutrophil', 'platelet'],
    apply(p, r) {
      const n = p.nucleus;
      switch (p.label) {
        case 'neutrophil':
          if (chance(r, 0.5)) Object.assign(n, { form: 'round', lobes: 1 });
          else n.lobes = 2;
          break;
        case 'eosinophil':
          if (chance(r, 0.5)) Object.assign(n, { form: 'round', lobes: 1 });
          else n.lobes = 4;
          break;
        case 'platelet':
          Object.assign(n, { form: 'round', lobes: 1, nc: 0.45, colour: NUCLEUS_PYKNOTIC, texture: 0.05 });
          p.diameter *= 1.0;
          break;
        default:
          Object.assign(n, { form: 'lobed', lobes: 3 });
      }
    },
  },
  {
    name: 'wrong-chromatin',
    criterion: 'chromatin_pattern',
    description: 'washed-out chromatin where it should be dense, or pyknotic where it should be fine',
    appliesTo: ['eosinophil', 'erythroblast', 'ig', 'lymphocyte', 'monocyte', 'neutrophil'],
    apply(p) {
      if (p.label === 'erythroblast') p.nucleus.colour = NUCLEUS_LOOSE;
      else if (p.label === 'monocyte' || p.label === 'ig') p.nucleus.colour = NUCLEUS_PYKNOTIC;
      else p.nucleus.colour = NUCLEUS_PALE;
    },
  },
  {
    name: 'wrong-nc-ratio',
    criterion: 'nucleus_cytoplasm_ratio',
    description: 'a nucleus far too small for its cell, or one that leaves almost no cytoplasm',
    appliesTo: ['erythroblast', 'ig', 'lymphocyte', 'monocyte'],
    apply(p) {
      if (p.label === 'lymphocyte' || p.label === 'erythroblast') p.nucleus.nc = 0.16;
      else p.nucleus.nc = p.label === 'monocyte' ? 0.1 : 0.14;
    },
  },
  {
    name: 'wrong-colour',
    criterion: 'cytoplasm_colour',
    description: "another class's cytoplasm colour (blue for a neutrophil, pink for a lymphocyte…)",
    appliesTo: ['erythroblast', 'ig', 'lymphocyte', 'monocyte', 'neutrophil', 'platelet'],
    apply(p) {
      const swap: Partial<Record<CellLabel, RGB>> = {
        neutrophil: CYTOPLASM_COLOURS.blue,
        ig: CYTOPLASM_COLOURS.blue,
        platelet: CYTOPLASM_COLOURS.blue,
        lymphocyte: CYTOPLASM_COLOURS.palePink,
        monocyte: CYTOPLASM_COLOURS.palePink,
        erythroblast: CYTOPLASM_COLOURS.blue,
      };
      p.cytoplasmColour = swap[p.label]!;
    },
  },
  {
    name: 'missing-granules',
    criterion: 'granules',
    description: 'an eosinophil without its orange granules, a basophil without its purple ones',
    appliesTo: ['basophil', 'eosinophil'],
    apply(p) {
      p.granules = null;
    },
  },
  {
    name: 'foreign-granules',
    criterion: 'granules',
    description: 'coarse granules where none belong (purple in a monocyte, orange in a neutrophil…)',
    appliesTo: ['ig', 'monocyte', 'neutrophil'],
    apply(p, r) {
      p.granules = p.label === 'ig' || (p.label === 'neutrophil' && chance(r, 0.5)) ? granulesFrom(GRANULES.orange, 60) : granulesFrom(GRANULES.purpleCoarse, 30);
    },
  },
  {
    name: 'wrong-vacuoles',
    criterion: 'inclusions',
    description: 'a monocyte without vacuoles, or vacuoles in a cell that has none',
    appliesTo: ['eosinophil', 'monocyte', 'neutrophil'],
    apply(p) {
      if (p.label === 'monocyte') p.vacuoles.count = 0;
      else p.vacuoles = { count: 3, radius: 2.2 };
    },
    drawn: (p, placed) => (p.label === 'monocyte' ? placed.vacuoles === 0 : placed.vacuoles >= 1),
  },
];

export function brokenCellKind(name: string): BrokenCellKind {
  const k = BROKEN_CELL_KINDS.find((b) => b.name === name);
  if (!k) throw new RangeError(`unknown broken cell kind '${name}' (known: ${BROKEN_CELL_KINDS.map((b) => b.name).join(', ')})`);
  return k;
}

export interface RenderBrokenCellOptions {
  label: CellLabel;
  kind: string;
  seed: number;
  size?: number;
}

/** A phantom of `label` with one criterion deliberately violated. Throws if the kind does not apply to the class. */
export function renderBrokenCell(opts: RenderBrokenCellOptions): RenderedCell {
  const kind = brokenCellKind(opts.kind);
  if (!kind.appliesTo.includes(opts.label)) throw new RangeError(`broken kind '${kind.name}' does not apply to ${opts.label} (applies to: ${kind.appliesTo.join(', ')})`);
  // A layout with no room for the edit (say, no space for a vacuole) is redrawn from a
  // derived seed, so every broken image really shows its violation.
  let last: RenderedCell | undefined;
  for (let attempt = 0; attempt < 8; attempt++) {
    const seed = attempt === 0 ? opts.seed : deriveSeed(opts.seed, 'broken-retry', attempt);
    const params = sampleCellParams(opts.label, { size: opts.size ?? 64, seed });
    kind.apply(params, itemRandom(seed, 'broken', kind.name));
    params.broken = { kind: kind.name, criterion: kind.criterion };
    last = { ...drawCell(params), params };
    if (!kind.drawn || kind.drawn(params, last.placed)) return last;
  }
  return last!;
}

/** Every (class, kind) pair that makes a broken cell. */
export function brokenCellPairs(): Array<{ label: CellLabel; kind: BrokenCellKind }> {
  return BROKEN_CELL_KINDS.flatMap((kind) => kind.appliesTo.map((label) => ({ label, kind })));
}
