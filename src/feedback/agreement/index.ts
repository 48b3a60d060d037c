export { cohensKappa, cohensKappaFromTable, type KappaResult } from './cohen.js';
export { fleissKappa, countTable, type FleissResult } from './fleiss.js';
export { krippendorffAlphaNominal, unitsFromCoderRows, type AlphaResult } from './krippendorff.js';
export { agreementSummary, type AgreementSummary, type Rating, type PairKappa } from './summary.js';
