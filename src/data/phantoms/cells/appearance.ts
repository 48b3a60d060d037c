// How the renderer draws each blood-cell class: sizes, nucleus geometry and the
// colours of every structure, as transmittance relative to the slide background
// (1 = background, 0 = opaque; stain variation and the background colour are
// applied on top). Ranges are sampled per image. This is the renderer's side; what a
// pathologist accepts (and the oracle checks) is types.ts.
import type { Range } from '../random.js';
import type { CellLabel } from './types.js';

export type RGB = readonly [number, number, number];

/** Nucleus geometry the renderer knows: lobes on an arc, round, kidney (folded), mildly indented, none. */
export type NucleusDrawForm = 'lobed' | 'round' | 'kidney' | 'indented' | 'none';

export interface GranuleAppearance {
  colour: RGB;
  count: Range;
  /** Radius in pixels at 64 px. */
  radius: Range;
  /** Drawn over the nucleus too (basophil) or only in the cytoplasm. */
  overNucleus: boolean;
}

export interface CellAppearance {
  /** Cell diameter / image width. */
  diameter: Range;
  nucleusForm: NucleusDrawForm;
  lobes: Range;
  /** Nucleus area / cell area. */
  nc: Range;
  nucleusColour: RGB;
  /** Relative amplitude of chromatin texture (optical-density modulation). */
  chromatinTexture: number;
  cytoplasmColour: RGB;
  granules?: GranuleAppearance;
  vacuoles: Range;
  /** Outline irregularity (relative amplitude of low harmonics). */
  wobble: number;
}

export const NUCLEUS_DENSE: RGB = [0.3, 0.16, 0.63];
export const NUCLEUS_LOOSE: RGB = [0.45, 0.32, 0.76];
export const NUCLEUS_PYKNOTIC: RGB = [0.19, 0.09, 0.5];
/** A washed-out nucleus (broken chromatin). */
export const NUCLEUS_PALE: RGB = [0.56, 0.44, 0.82];

export const CYTOPLASM_COLOURS = {
  palePink: [0.9, 0.84, 1.0] as RGB,
  orangeRed: [0.95, 0.82, 0.84] as RGB,
  purple: [0.66, 0.56, 0.95] as RGB,
  blue: [0.68, 0.8, 1.1] as RGB,
  greyBlue: [0.72, 0.74, 0.98] as RGB,
  greyPink: [0.84, 0.78, 1.0] as RGB,
  platelet: [0.72, 0.56, 0.92] as RGB,
  polychromatic: [0.74, 0.72, 0.94] as RGB,
};

export const GRANULES = {
  orange: { colour: [0.9, 0.5, 0.44], count: [45, 75], radius: [0.8, 1.05], overNucleus: false } as GranuleAppearance,
  purpleCoarse: { colour: [0.2, 0.09, 0.48], count: [45, 65], radius: [1.3, 1.6], overNucleus: true } as GranuleAppearance,
  fine: { colour: [0.8, 0.76, 0.94], count: [20, 40], radius: [0.5, 0.6], overNucleus: false } as GranuleAppearance,
  sparsePurple: { colour: [0.5, 0.36, 0.72], count: [8, 14], radius: [0.95, 1.15], overNucleus: false } as GranuleAppearance,
  plateletDots: { colour: [0.56, 0.4, 0.8], count: [2, 5], radius: [0.55, 0.7], overNucleus: false } as GranuleAppearance,
};

export const RBC_BODY: RGB = [0.8, 0.68, 0.82];
export const RBC_PALLOR: RGB = [0.93, 0.9, 0.96];
export const VACUOLE: RGB = [0.98, 0.97, 0.99];

export const CELL_APPEARANCE: Record<CellLabel, CellAppearance> = {
  neutrophil: {
    diameter: [0.35, 0.41],
    nucleusForm: 'lobed',
    lobes: [3, 5],
    nc: [0.22, 0.32],
    nucleusColour: NUCLEUS_DENSE,
    chromatinTexture: 0.1,
    cytoplasmColour: CYTOPLASM_COLOURS.palePink,
    granules: GRANULES.fine,
    vacuoles: [0, 0],
    wobble: 0.03,
  },
  eosinophil: {
    diameter: [0.37, 0.43],
    nucleusForm: 'lobed',
    lobes: [2, 2],
    nc: [0.22, 0.32],
    nucleusColour: NUCLEUS_DENSE,
    chromatinTexture: 0.1,
    cytoplasmColour: CYTOPLASM_COLOURS.orangeRed,
    granules: GRANULES.orange,
    vacuoles: [0, 0],
    wobble: 0.03,
  },
  basophil: {
    diameter: [0.3, 0.37],
    nucleusForm: 'lobed',
    lobes: [1, 2],
    nc: [0.35, 0.45],
    nucleusColour: NUCLEUS_LOOSE,
    chromatinTexture: 0.1,
    cytoplasmColour: CYTOPLASM_COLOURS.purple,
    granules: GRANULES.purpleCoarse,
    vacuoles: [0, 0],
    wobble: 0.04,
  },
  lymphocyte: {
    diameter: [0.25, 0.3],
    nucleusForm: 'round',
    lobes: [1, 1],
    nc: [0.45, 0.58],
    nucleusColour: NUCLEUS_DENSE,
    chromatinTexture: 0.12,
    cytoplasmColour: CYTOPLASM_COLOURS.blue,
    vacuoles: [0, 0],
    wobble: 0.03,
  },
  monocyte: {
    diameter: [0.46, 0.53],
    nucleusForm: 'kidney',
    lobes: [1, 1],
    nc: [0.28, 0.38],
    nucleusColour: NUCLEUS_LOOSE,
    chromatinTexture: 0.08,
    cytoplasmColour: CYTOPLASM_COLOURS.greyBlue,
    vacuoles: [1, 3],
    wobble: 0.06,
  },
  erythroblast: {
    diameter: [0.23, 0.28],
    nucleusForm: 'round',
    lobes: [1, 1],
    nc: [0.4, 0.55],
    nucleusColour: NUCLEUS_PYKNOTIC,
    chromatinTexture: 0.06,
    cytoplasmColour: CYTOPLASM_COLOURS.polychromatic,
    vacuoles: [0, 0],
    wobble: 0.03,
  },
  ig: {
    diameter: [0.41, 0.47],
    nucleusForm: 'indented',
    lobes: [1, 1],
    nc: [0.35, 0.48],
    nucleusColour: NUCLEUS_LOOSE,
    chromatinTexture: 0.08,
    cytoplasmColour: CYTOPLASM_COLOURS.greyPink,
    granules: GRANULES.sparsePurple,
    vacuoles: [0, 0],
    wobble: 0.03,
  },
  platelet: {
    diameter: [0.08, 0.12],
    nucleusForm: 'none',
    lobes: [0, 0],
    nc: [0, 0],
    nucleusColour: NUCLEUS_DENSE,
    chromatinTexture: 0,
    cytoplasmColour: CYTOPLASM_COLOURS.platelet,
    granules: GRANULES.plateletDots,
    vacuoles: [0, 0],
    wobble: 0.12,
  },
};
