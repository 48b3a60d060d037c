// Blood-cell classes and what a pathologist checks for each, as plain data: the
// checklist criteria (the same ids the feedback app's default checklist uses) and,
// per class, the accepted range of every quantity the oracle measures from pixels.
// Class names are pbc64's labels. Sizes are fractions of the image width at pbc64's
// magnification (a 64-px image spans ~70 µm, so an erythrocyte is ~0.2 wide).
import type { Range } from '../random.js';

export const CELL_LABELS = ['basophil', 'eosinophil', 'erythroblast', 'ig', 'lymphocyte', 'monocyte', 'neutrophil', 'platelet'] as const;
export type CellLabel = (typeof CELL_LABELS)[number];

export function isCellLabel(s: string): s is CellLabel {
  return (CELL_LABELS as readonly string[]).includes(s);
}

/** Checklist criteria (ids = criterionId of the labels in feedback/checklists.ts). */
export const CELL_CRITERIA = ['cell_size', 'nucleus_shape', 'chromatin_pattern', 'nucleus_cytoplasm_ratio', 'cytoplasm_colour', 'granules', 'inclusions'] as const;
export type CellCriterion = (typeof CELL_CRITERIA)[number];

export const CELL_CRITERION_LABELS: Record<CellCriterion, string> = {
  cell_size: 'Cell size',
  nucleus_shape: 'Nucleus shape',
  chromatin_pattern: 'Chromatin pattern',
  nucleus_cytoplasm_ratio: 'Nucleus/cytoplasm ratio',
  cytoplasm_colour: 'Cytoplasm colour',
  granules: 'Granules',
  inclusions: 'Inclusions',
};

/**
 * Nucleus form: `segmented` (3–5 lobes joined by filaments), `bilobed`, `round`
 * (one compact lobe), `folded` (one lobe, kidney/horseshoe: clearly non-convex),
 * `round-or-indented` (one lobe, convex or mildly indented), `obscured` (hidden by
 * granules: not assessed), `absent` (no nucleus).
 */
export type NucleusForm = 'segmented' | 'bilobed' | 'round' | 'folded' | 'round-or-indented' | 'obscured' | 'absent';

/** Granules: `fine` (no coarse granules visible), `orange-dense`, `purple-coarse`, `sparse-purple` (a few), `none`. */
export type GranuleKind = 'fine' | 'orange-dense' | 'purple-coarse' | 'sparse-purple' | 'none';

/**
 * What each granule kind allows, in the oracle's measures: `purple` and `orange` = share
 * of the cytoplasm covered by dark purple / orange dots, `darkCover` = share of the
 * whole cell that is nucleus-dark (basophil granules spread it over the cell).
 */
export const GRANULE_RULES: Record<GranuleKind, { purple?: Range; orange?: Range; darkCover?: Range; speckle?: Range }> = {
  fine: { purple: [0, 0.03], orange: [0, 0.05] },
  none: { purple: [0, 0.03], orange: [0, 0.05] },
  'sparse-purple': { purple: [0, 0.2], orange: [0, 0.05] },
  'orange-dense': { orange: [0.1, 1], purple: [0, 0.05] },
  'purple-coarse': { darkCover: [0.57, 1], speckle: [0.025, 1], orange: [0, 0.05] },
};

export interface CellDesiderata {
  label: CellLabel;
  description: string;
  /** Equivalent diameter of the cell (nucleus + cytoplasm) / image width. */
  cellDiameter: Range;
  nucleus: { form: NucleusForm; lobes?: Range; /** Area / convex-hull area of a one-lobed nucleus. */ solidity?: Range };
  /** Chromatin: staining density of the nucleus (optical density in the red channel, upper half of its pixels). Absent: not assessed. */
  chromatin?: { name: string; density: Range };
  /** Nucleus area / cell area. Absent: not assessed. */
  ncRatio?: Range;
  /**
   * Cytoplasm colour as optical density relative to the background: `azure` = red-channel
   * OD (blue/purple dyes), `eosin` = green − red OD (pink/orange dyes).
   */
  cytoplasm: { name: string; azure: Range; eosin: Range };
  granules: GranuleKind;
  /** Vacuoles (clear round inclusions) in the cytoplasm: accepted count. */
  vacuoles: Range;
}

export const CELL_DESIDERATA: Record<CellLabel, CellDesiderata> = {
  neutrophil: {
    label: 'neutrophil',
    description: 'segmented nucleus of 3–5 lobes joined by thin filaments, clumped chromatin, pale pink cytoplasm with fine granules',
    cellDiameter: [0.32, 0.46],
    nucleus: { form: 'segmented', lobes: [3, 5] },
    chromatin: { name: 'clumped, dense', density: [0.68, 2.4] },
    ncRatio: [0.16, 0.43],
    cytoplasm: { name: 'pale pink', azure: [0.05, 0.29], eosin: [0.02, 0.2] },
    granules: 'fine',
    vacuoles: [0, 0],
  },
  eosinophil: {
    label: 'eosinophil',
    description: 'bilobed nucleus, cytoplasm packed with coarse orange-red granules',
    cellDiameter: [0.34, 0.48],
    nucleus: { form: 'bilobed', lobes: [2, 2] },
    chromatin: { name: 'clumped, dense', density: [0.75, 2.4] },
    ncRatio: [0.14, 0.4],
    cytoplasm: { name: 'orange-red', azure: [-0.05, 0.2], eosin: [0.2, 0.9] },
    granules: 'orange-dense',
    vacuoles: [0, 0],
  },
  basophil: {
    label: 'basophil',
    description: 'coarse dark purple granules spread over the cell that obscure the nucleus',
    cellDiameter: [0.3, 0.47],
    nucleus: { form: 'obscured' },
    cytoplasm: { name: 'purple', azure: [0.06, 1.6], eosin: [-0.02, 0.4] },
    granules: 'purple-coarse',
    vacuoles: [0, 0],
  },
  lymphocyte: {
    label: 'lymphocyte',
    description: 'small cell, round dense nucleus filling most of it, thin rim of clear blue cytoplasm',
    cellDiameter: [0.24, 0.38],
    nucleus: { form: 'round', lobes: [1, 1], solidity: [0.88, 1] },
    chromatin: { name: 'dense, condensed', density: [0.88, 1.45] },
    ncRatio: [0.44, 0.7],
    cytoplasm: { name: 'blue', azure: [0.13, 0.9], eosin: [-0.5, -0.025] },
    granules: 'none',
    vacuoles: [0, 0],
  },
  monocyte: {
    label: 'monocyte',
    description: 'large cell, folded kidney-shaped nucleus with fine lacy chromatin, grey-blue cytoplasm with vacuoles',
    cellDiameter: [0.42, 0.59],
    nucleus: { form: 'folded', lobes: [1, 1], solidity: [0.5, 0.885] },
    chromatin: { name: 'fine, lacy', density: [0.6, 1.02] },
    ncRatio: [0.22, 0.52],
    cytoplasm: { name: 'grey-blue', azure: [0.24, 0.6], eosin: [-0.2, 0.06] },
    granules: 'none',
    vacuoles: [1, 12],
  },
  erythroblast: {
    label: 'erythroblast',
    description: 'small round cell, round very dark (pyknotic) nucleus, grey polychromatic cytoplasm',
    cellDiameter: [0.22, 0.35],
    nucleus: { form: 'round', lobes: [1, 1], solidity: [0.88, 1] },
    chromatin: { name: 'very dense, pyknotic', density: [1.25, 3] },
    ncRatio: [0.37, 0.64],
    cytoplasm: { name: 'grey (polychromatic)', azure: [0.14, 0.5], eosin: [-0.03, 0.14] },
    granules: 'none',
    vacuoles: [0, 0],
  },
  ig: {
    label: 'ig',
    description: 'immature granulocyte: large round or indented nucleus with loose chromatin, greyish-pink cytoplasm with some granules',
    cellDiameter: [0.37, 0.52],
    nucleus: { form: 'round-or-indented', lobes: [1, 1], solidity: [0.7, 1] },
    chromatin: { name: 'loose, less condensed', density: [0.6, 1.02] },
    ncRatio: [0.3, 0.6],
    cytoplasm: { name: 'greyish pink', azure: [0.12, 0.37], eosin: [0.02, 0.22] },
    granules: 'sparse-purple',
    vacuoles: [0, 0],
  },
  platelet: {
    label: 'platelet',
    description: 'small purple cytoplasmic fragment with fine granules and no nucleus',
    cellDiameter: [0.06, 0.17],
    nucleus: { form: 'absent' },
    cytoplasm: { name: 'purple', azure: [0.15, 0.7], eosin: [0.05, 0.5] },
    granules: 'fine',
    vacuoles: [0, 0],
  },
};
