// Defaults that come from the procedural phantoms (data/phantoms): the CXR report parser
// for `diagnostic` and the oracles for `oracle`; a caller may set others.
import { makeOracleJudge, parseReportRecord } from '../data/phantoms/index.js';
import type { FindingsParser, OracleJudge } from './registry.js';

let findingsParser: FindingsParser | undefined;
let oracle: OracleJudge | undefined;

export function setDefaultFindingsParser(p: FindingsParser): void {
  findingsParser = p;
}
export function setDefaultOracle(o: OracleJudge): void {
  oracle = o;
}
export function defaultFindingsParser(): FindingsParser | undefined {
  return findingsParser ?? parseReportRecord;
}
export function defaultOracle(): OracleJudge | undefined {
  return (oracle ??= makeOracleJudge('auto'));
}
