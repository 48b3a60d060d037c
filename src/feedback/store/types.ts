// Records as the feedback store hands them out.
import type { ChecklistConfig, Criterion } from '../checklists.js';

export type StudyMode = 'binary' | 'pairwise';
export type StudyStatus = 'open' | 'closed';
export type RaterRole = 'rater' | 'admin';
export type BinaryChoice = 'plausible' | 'implausible';
export type PairChoice = 'left' | 'right' | 'tie';
export type Choice = BinaryChoice | PairChoice;
/** Pairwise outcome independent of display sides: a = the item's first image. */
export type Winner = 'a' | 'b' | 'tie';
export type ImageSource = 'synthetic' | 'real';

export interface Rater {
  id: number;
  name: string;
  role: RaterRole;
  simulated: boolean;
  createdAt: string;
}

export interface Study {
  id: number;
  name: string;
  mode: StudyMode;
  checklists: ChecklistConfig;
  ratersPerItem: number;
  goldRate: number;
  seed: number;
  status: StudyStatus;
  instructions: string;
  createdAt: string;
}

/** Lineage of an image: model, run, checkpoint, seed, sampler… plus where the file came from. Admin-only. */
export type Provenance = Record<string, unknown>;

export interface ImageRecord {
  id: number;
  studyId: number;
  condition: string;
  /** Absolute path when the image is a file in the workspace; null when the bytes are stored in the database. */
  path: string | null;
  sha256: string;
  width: number;
  height: number;
  source: ImageSource;
  provenance: Provenance;
}

export interface ItemRecord {
  id: number;
  studyId: number;
  condition: string;
  imageIds: number[];
  isGold: boolean;
  goldAnswer: string | null;
}

export interface AssignmentRecord {
  id: number;
  publicId: string;
  studyId: number;
  raterId: number;
  itemId: number;
  position: number;
  swapped: boolean;
}

export interface StoredAnswer {
  id: number;
  raterId: number;
  idempotencyKey: string;
  assignmentId: number;
  studyId: number;
  itemId: number;
  choice: Choice;
  winner: Winner | null;
  failedCriteria: string[];
  comment: string;
  timeMs: number | null;
  createdAt: string;
  retractedAt: string | null;
}

/** One rating joined with everything a reward model or report needs (admin/internal use only). */
export interface AnswerRecord extends StoredAnswer {
  studyName: string;
  mode: StudyMode;
  raterName: string;
  simulated: boolean;
  assignmentPublicId: string;
  swapped: boolean;
  condition: string;
  isGold: boolean;
  goldAnswer: string | null;
  /** Whether the answer matches the gold answer; null for non-gold items. */
  correct: boolean | null;
  /** binary: [image]; pairwise: [a, b] in item order (not display order). */
  images: ImageRecord[];
  /** Pairwise: the preferred image's id (null for a tie or binary). */
  winnerImageId: number | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
}

export interface Progress {
  done: number;
  total: number;
}

export type { Criterion };
