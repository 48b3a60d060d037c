// The feedback module's public surface: the store (studies, raters, answers for reward
// training), study creation, the HTTP server, agreement statistics, exports and
// simulated raters. Other modules import from here.
export { FeedbackStore, type FeedbackStoreOptions, ADMIN_NAME, KEY_FILE } from './store/store.js';
export { migrate, type Migration } from './store/migrate.js';
export type * from './store/types.js';
export { BLOOD_CELL_CRITERIA, checklistFor, makeChecklistConfig, type ChecklistConfig, type ChecklistInput, type Criterion } from './checklists.js';
export {
  addRatersToStudy,
  createStudy,
  createStudyFromCsv,
  createStudyFromSamples,
  type CreatedStudy,
  type CreateStudyInput,
  type StudyOptions,
  type RaterLink,
} from './studies/create.js';
export { readImageCsv, readSampleFolder, type SourceImage } from './studies/sources.js';
export { buildServer, type BuildServerOptions } from './server/server.js';
export { adminLink, raterLink } from './server/admin-routes.js';
export { studyReport, type StudyReport } from './report.js';
export { exportCsv, exportJsonl } from './export.js';
export * from './agreement/index.js';
export { decodePng } from './images.js';
export { simulateStudy, decide, type SimulateOptions, type SimulateResult, type SimulatedRaterSpec } from './simulate/simulate.js';
export { registerJudge, getJudge, listJudges, meanIntensityJudge, DEFAULT_JUDGE, type Judge, type Verdict } from './simulate/judges.js';
export { RaterClient, AdminClient, HttpError, newIdempotencyKey } from './simulate/client.js';
export * from './errors.js';
