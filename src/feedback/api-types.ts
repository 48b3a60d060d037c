// Shapes of the rater API's JSON, shared by the server and the browser client (types only:
// the client bundle imports nothing at run time from here). Nothing here may carry
// provenance: no file names, runs, models, real/synthetic hints, internal ids.
import type { Criterion } from './checklists.js';
import type { BinaryChoice, Choice, PairChoice, Progress, StudyMode, StudyStatus } from './store/types.js';

export interface RaterStudySummary {
  id: number;
  name: string;
  mode: StudyMode;
  status: StudyStatus;
  progress: Progress;
}

export interface RaterStudiesResponse {
  rater: { name: string };
  studies: RaterStudySummary[];
}

/** One thing to judge. Image URLs hold only the assignment's random public id. */
export interface ItemView {
  assignmentId: string;
  condition: string;
  checklist: Criterion[];
  images: { single: string } | { left: string; right: string };
  /** The rater's own answer to this item before they undid it (to pre-fill the form). */
  previous: { choice: Choice; failedCriteria: string[]; comment: string } | null;
}

export interface NextResponse {
  study: { id: number; name: string; mode: StudyMode; status: StudyStatus; instructions: string };
  progress: Progress;
  item: ItemView | null;
  /** The assignment that undo (Z) would retract, if any. */
  lastAnswered: string | null;
}

export interface AnswerRequest {
  assignmentId: string;
  idempotencyKey: string;
  choice: Choice;
  failedCriteria?: string[];
  comment?: string;
  timeMs?: number;
}

export interface AnswerResponse {
  assignmentId: string;
  choice: Choice;
  failedCriteria: string[];
  duplicate: boolean;
  progress: Progress;
}

export interface UndoResponse {
  assignmentId: string;
  retracted: boolean;
  progress: Progress;
}

export interface OwnAnswer {
  assignmentId: string;
  choice: Choice;
  failedCriteria: string[];
  comment: string;
  createdAt: string;
}

export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
}

export type { BinaryChoice, PairChoice };
