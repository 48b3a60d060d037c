// The blood-cell oracle: measures an image (measure.ts) and checks every checklist
// criterion against the stated class's desiderata (types.ts). It sees only pixels,
// so it judges real, rendered and generated images alike.
import type { Raster } from '../../raster.js';
import type { Range } from '../random.js';
import { type CellMeasurements, measureCell } from './measure.js';
import { CELL_CRITERIA, CELL_DESIDERATA, type CellCriterion, type CellDesiderata, type CellLabel, GRANULE_RULES, isCellLabel } from './types.js';

export interface CriterionResult {
  criterion: CellCriterion;
  pass: boolean;
  /** What was measured, in words (for reports and debugging). */
  detail: string;
}

export interface CellVerdict {
  condition: CellLabel;
  plausible: boolean;
  failedCriteria: CellCriterion[];
  criteria: CriterionResult[];
  measurements: CellMeasurements;
}

export class UnknownCellClassError extends Error {
  override readonly name = 'UnknownCellClassError';
  constructor(readonly condition: string) {
    super(`unknown blood-cell class '${condition}' (known: ${Object.keys(CELL_DESIDERATA).join(', ')})`);
  }
}

const within = (v: number, r: Range): boolean => v >= r[0] && v <= r[1];
const fmt = (v: number): string => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2));
const rangeText = (r: Range): string => `[${fmt(r[0])}, ${fmt(r[1])}]`;

function nucleusShape(m: CellMeasurements, d: CellDesiderata): CriterionResult {
  const nu = d.nucleus;
  const has = m.nucleusArea > 0;
  const shape = `${m.lobes} lobe(s), solidity ${fmt(m.solidity)}`;
  const result = (pass: boolean, want: string): CriterionResult => ({ criterion: 'nucleus_shape', pass, detail: `${has ? shape : 'no nucleus'}; want ${want}` });
  switch (nu.form) {
    case 'absent':
      return result(!has, 'no nucleus');
    case 'obscured':
      return result(true, 'nucleus obscured (not assessed)');
    case 'segmented':
    case 'bilobed':
      return result(has && within(m.lobes, nu.lobes!), `${nu.form} (${rangeText(nu.lobes!)} lobes)`);
    case 'round':
    case 'round-or-indented':
      return result(has && within(m.lobes, nu.lobes ?? [1, 1]) && within(m.solidity, nu.solidity ?? [0, 1]), `${nu.form}, one lobe, solidity ${rangeText(nu.solidity ?? [0, 1])}`);
    case 'folded':
      return result(has && within(m.lobes, nu.lobes ?? [1, 1]) && within(m.solidity, nu.solidity ?? [0, 1]), `folded, one lobe, solidity ${rangeText(nu.solidity ?? [0, 1])}`);
  }
}

function granules(m: CellMeasurements, d: CellDesiderata): CriterionResult {
  const rule = GRANULE_RULES[d.granules];
  const pass =
    (rule.purple === undefined || within(m.granules.purple, rule.purple)) &&
    (rule.orange === undefined || within(m.granules.orange, rule.orange)) &&
    (rule.darkCover === undefined || within(m.ncRatio, rule.darkCover)) &&
    (rule.speckle === undefined || within(m.granules.speckle, rule.speckle));
  return {
    criterion: 'granules',
    pass,
    detail: `purple ${fmt(m.granules.purple)}, orange ${fmt(m.granules.orange)}, dark cover ${fmt(m.ncRatio)}, speckle ${fmt(m.granules.speckle)}; want ${d.granules}`,
  };
}

/** Checks measurements against a class's desiderata, one result per criterion. */
export function checkCell(m: CellMeasurements, d: CellDesiderata): CriterionResult[] {
  if (!m.found) return CELL_CRITERIA.map((criterion) => ({ criterion, pass: false, detail: 'no cell found near the image centre' }));
  const has = m.nucleusArea > 0;
  return [
    { criterion: 'cell_size', pass: within(m.cellDiameter, d.cellDiameter), detail: `diameter ${fmt(m.cellDiameter)} of width; want ${rangeText(d.cellDiameter)}` },
    nucleusShape(m, d),
    d.chromatin
      ? { criterion: 'chromatin_pattern', pass: has && within(m.chromatinDensity, d.chromatin.density), detail: `density ${fmt(m.chromatinDensity)}; want ${d.chromatin.name} ${rangeText(d.chromatin.density)}` }
      : { criterion: 'chromatin_pattern', pass: true, detail: 'not assessed' },
    d.ncRatio
      ? { criterion: 'nucleus_cytoplasm_ratio', pass: has && within(m.ncRatio, d.ncRatio), detail: `N/C area ${fmt(m.ncRatio)}; want ${rangeText(d.ncRatio)}` }
      : { criterion: 'nucleus_cytoplasm_ratio', pass: true, detail: 'not assessed' },
    {
      criterion: 'cytoplasm_colour',
      pass: within(m.cytoplasm.azure, d.cytoplasm.azure) && within(m.cytoplasm.eosin, d.cytoplasm.eosin),
      detail: `azure ${fmt(m.cytoplasm.azure)}, eosin ${fmt(m.cytoplasm.eosin)}; want ${d.cytoplasm.name} (azure ${rangeText(d.cytoplasm.azure)}, eosin ${rangeText(d.cytoplasm.eosin)})`,
    },
    granules(m, d),
    { criterion: 'inclusions', pass: within(m.vacuoles, d.vacuoles), detail: `${m.vacuoles} vacuole(s); want ${rangeText(d.vacuoles)}` },
  ];
}

/** Judges a cell image against a stated class from its pixels. Throws UnknownCellClassError for an unknown class. */
export function judgeCell(image: Raster, condition: string): CellVerdict {
  const label = condition.trim().toLowerCase();
  if (!isCellLabel(label)) throw new UnknownCellClassError(condition);
  const measurements = measureCell(image);
  return verdictFrom(measurements, label);
}

/** The verdict for a class from measurements already taken (to judge one image against many classes). */
export function verdictFrom(measurements: CellMeasurements, label: CellLabel): CellVerdict {
  const criteria = checkCell(measurements, CELL_DESIDERATA[label]);
  const failedCriteria = criteria.filter((c) => !c.pass).map((c) => c.criterion);
  return { condition: label, plausible: failedCriteria.length === 0, failedCriteria, criteria, measurements };
}
