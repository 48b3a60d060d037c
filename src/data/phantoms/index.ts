// Procedural phantoms with exact oracles: blood-cell and chest X-ray images whose
// clinical criteria are explicit, oracles that judge any image from its pixels,
// deliberately broken variants, simulated raters, and a data-set writer.
export { type Range, seededRandom, deriveSeed } from './random.js';

export { CELL_LABELS, CELL_CRITERIA, CELL_CRITERION_LABELS, CELL_DESIDERATA, GRANULE_RULES, isCellLabel } from './cells/types.js';
export type { CellLabel, CellCriterion, CellDesiderata, GranuleKind, NucleusForm } from './cells/types.js';
export { CELL_APPEARANCE } from './cells/appearance.js';
export { renderCell, sampleCellParams, drawCell, blankSlide } from './cells/render.js';
export type { CellRenderParams, RenderedCell, RenderCellOptions, CellPlacement } from './cells/render.js';
export { measureCell, analyseCell, MEASURE as CELL_MEASURE } from './cells/measure.js';
export type { CellMeasurements, CellMasks } from './cells/measure.js';
export { judgeCell, checkCell, verdictFrom as cellVerdictFrom, UnknownCellClassError } from './cells/oracle.js';
export type { CellVerdict, CriterionResult } from './cells/oracle.js';
export { BROKEN_CELL_KINDS, brokenCellKind, brokenCellPairs, renderBrokenCell } from './cells/broken.js';
export type { BrokenCellKind, RenderBrokenCellOptions } from './cells/broken.js';

export { LOBES, LOBE_NAMES, SIDES, FINDING_KEYS, CXR_CRITERIA, CXR_CRITERION_LABELS, noFindings, findingsToRecord, recordToFindings, findingLabel, isNormal, lobeSide } from './cxr/types.js';
export type { Lobe, Side, CxrFindings, FindingKey, CxrCriterion } from './cxr/types.js';
export { renderCxr, sampleCxrParams, sampleFindings, paramsForFindings, drawCxr, isCoherent, IDENTITY_POSE, DEFAULT_FINDING_RATES } from './cxr/render.js';
export type { CxrPose, CxrRenderParams, RenderedCxr, FindingRates } from './cxr/render.js';
export { writeReport, parseReport, parseReportRecord, parseCondition } from './cxr/report.js';
export { measureCxr, CXR_MEASURE } from './cxr/measure.js';
export type { CxrMeasurements } from './cxr/measure.js';
export { judgeCxr, checkCxr, postureCheck, POSTURE_LIMITS } from './cxr/oracle.js';
export type { CxrVerdict, CxrCriterionResult } from './cxr/oracle.js';
export { BROKEN_CXR_KINDS, brokenCxrKind, renderBrokenCxr } from './cxr/broken.js';
export type { BrokenCxr, BrokenCxrKind } from './cxr/broken.js';

export { makeOracleJudge, simulatedRater, criteriaFor, imageKey } from './raters.js';
export type { PhantomJudge, Verdict, OracleKind, SimulatedRaterOptions } from './raters.js';
export { cellPhantom, brokenCellPhantom, cxrPhantom, brokenCxrPhantom } from './generate.js';
export type { CellPhantom, CxrPhantom, PhantomStreamOptions } from './generate.js';
export { writePhantomDataset, csvField } from './dataset-writer.js';
export type { PhantomDatasetOptions, PhantomDatasetSummary, PhantomKind } from './dataset-writer.js';
