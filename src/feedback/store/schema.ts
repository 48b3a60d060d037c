// The feedback module's tables, as migrations under the 'feedback' key.
import type { Migration } from './migrate.js';

export const FEEDBACK_MIGRATION_KEY = 'feedback';

export const FEEDBACK_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'raters, studies, images, items, assignments, answers, audit log',
    sql: `
CREATE TABLE raters (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('rater', 'admin')),
  token_hash BLOB NOT NULL UNIQUE,
  token_version INTEGER NOT NULL DEFAULT 1,
  simulated INTEGER NOT NULL DEFAULT 0 CHECK (simulated IN (0, 1)),
  created_at TEXT NOT NULL
);

CREATE TABLE studies (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  mode TEXT NOT NULL CHECK (mode IN ('binary', 'pairwise')),
  checklists_json TEXT NOT NULL,
  raters_per_item INTEGER NOT NULL CHECK (raters_per_item >= 1),
  gold_rate REAL NOT NULL CHECK (gold_rate >= 0 AND gold_rate < 1),
  seed INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  instructions TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);

-- An image is either a file inside the workspace (path relative to its root) or a copy of
-- the bytes (images from outside the workspace). Provenance is never sent to raters.
CREATE TABLE images (
  id INTEGER PRIMARY KEY,
  study_id INTEGER NOT NULL REFERENCES studies(id),
  condition TEXT NOT NULL,
  path TEXT,
  png BLOB,
  sha256 TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('synthetic', 'real')),
  provenance_json TEXT NOT NULL,
  CHECK ((path IS NULL) <> (png IS NULL))
);
CREATE INDEX images_study ON images(study_id);

-- One thing a rater judges: an image (binary) or a pair of images of one condition (pairwise).
-- Gold answers: binary 'plausible' | 'implausible'; pairwise 'a' | 'b' | 'tie' (a = image_id).
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  study_id INTEGER NOT NULL REFERENCES studies(id),
  condition TEXT NOT NULL,
  image_id INTEGER NOT NULL REFERENCES images(id),
  image_b_id INTEGER REFERENCES images(id),
  is_gold INTEGER NOT NULL DEFAULT 0 CHECK (is_gold IN (0, 1)),
  gold_answer TEXT,
  CHECK (is_gold = 0 OR gold_answer IS NOT NULL)
);
CREATE INDEX items_study ON items(study_id);

-- A rater's queue: order and (pairwise) sides are randomised per rater from the study seed.
-- public_id is the only handle a rater sees (image URLs, answers, undo).
CREATE TABLE assignments (
  id INTEGER PRIMARY KEY,
  public_id TEXT NOT NULL UNIQUE,
  study_id INTEGER NOT NULL REFERENCES studies(id),
  rater_id INTEGER NOT NULL REFERENCES raters(id),
  item_id INTEGER NOT NULL REFERENCES items(id),
  position INTEGER NOT NULL,
  swapped INTEGER NOT NULL DEFAULT 0 CHECK (swapped IN (0, 1)),
  UNIQUE (rater_id, item_id),
  UNIQUE (study_id, rater_id, position)
);
CREATE INDEX assignments_item ON assignments(item_id);

-- Answers are never deleted; undo sets retracted_at. A rater's idempotency key identifies one
-- answer however often the browser retries; an assignment has at most one live answer.
CREATE TABLE answers (
  id INTEGER PRIMARY KEY,
  rater_id INTEGER NOT NULL REFERENCES raters(id),
  idempotency_key TEXT NOT NULL,
  assignment_id INTEGER NOT NULL REFERENCES assignments(id),
  study_id INTEGER NOT NULL REFERENCES studies(id),
  item_id INTEGER NOT NULL REFERENCES items(id),
  choice TEXT NOT NULL CHECK (choice IN ('plausible', 'implausible', 'left', 'right', 'tie')),
  winner TEXT CHECK (winner IN ('a', 'b', 'tie')),
  failed_criteria_json TEXT NOT NULL DEFAULT '[]',
  comment TEXT NOT NULL DEFAULT '',
  time_ms INTEGER,
  created_at TEXT NOT NULL,
  retracted_at TEXT,
  UNIQUE (rater_id, idempotency_key)
);
CREATE UNIQUE INDEX answers_one_live ON answers(assignment_id) WHERE retracted_at IS NULL;
CREATE INDEX answers_study ON answers(study_id);

CREATE TRIGGER answers_never_deleted BEFORE DELETE ON answers
BEGIN SELECT RAISE(ABORT, 'answers are never deleted; retract them'); END;

CREATE TRIGGER answers_only_retracted BEFORE UPDATE ON answers
WHEN NOT (old.retracted_at IS NULL AND new.retracted_at IS NOT NULL
  AND new.id IS old.id AND new.rater_id IS old.rater_id AND new.idempotency_key IS old.idempotency_key
  AND new.assignment_id IS old.assignment_id AND new.study_id IS old.study_id AND new.item_id IS old.item_id
  AND new.choice IS old.choice AND new.winner IS old.winner AND new.failed_criteria_json IS old.failed_criteria_json
  AND new.comment IS old.comment AND new.time_ms IS old.time_ms AND new.created_at IS old.created_at)
BEGIN SELECT RAISE(ABORT, 'an answer can only be retracted, once'); END;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT,
  details_json TEXT NOT NULL DEFAULT '{}'
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`,
  },
];
