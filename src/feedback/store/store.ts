// The feedback store: raters, studies, images, items, assignments, answers and the
// append-only audit log, in the workspace's SQLite database (better-sqlite3: WAL,
// foreign keys, namespaced migrations). Every method is synchronous; a multi-step
// change runs in one IMMEDIATE transaction, so concurrent requests (or a second
// process on the same file) cannot interleave inside it.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import Database from 'better-sqlite3';
import { type ChecklistConfig, checklistFor } from '../checklists.js';
import { ConflictError, FeedbackError, InvalidInputError, NotFoundError } from '../errors.js';
import type { Raster } from '../../data/raster.js';
import { decodePng, sha256Hex, stripPngMetadata } from '../images.js';
import { migrate } from './migrate.js';
import { FEEDBACK_MIGRATION_KEY, FEEDBACK_MIGRATIONS } from './schema.js';
import { deriveToken, hashToken, loadOrCreateKey, newKey, sameHash } from './tokens.js';
import type {
  AnswerRecord,
  AssignmentRecord,
  AuditEntry,
  Choice,
  ImageRecord,
  ImageSource,
  ItemRecord,
  Progress,
  Provenance,
  Rater,
  RaterRole,
  StoredAnswer,
  Study,
  StudyMode,
  StudyStatus,
  Winner,
} from './types.js';

export interface FeedbackStoreOptions {
  /** SQLite file (e.g. `<workspace>/medloop.db`) or ':memory:'. */
  dbPath: string;
  /** Workspace root: image paths are stored relative to it. Default: the database's folder (none for ':memory:'). */
  workspaceDir?: string;
  /** Token key. Default: `<workspace>/medloop.key`, created on first use (random per store for ':memory:'). */
  key?: Buffer;
}

export const ADMIN_NAME = 'admin';
export const KEY_FILE = 'medloop.key';

const now = () => new Date().toISOString();

interface RaterRow {
  id: number;
  name: string;
  role: RaterRole;
  token_hash: Buffer;
  token_version: number;
  simulated: number;
  created_at: string;
}
interface StudyRow {
  id: number;
  name: string;
  mode: StudyMode;
  checklists_json: string;
  raters_per_item: number;
  gold_rate: number;
  seed: number;
  status: StudyStatus;
  instructions: string;
  created_at: string;
}
interface ImageRow {
  id: number;
  study_id: number;
  condition: string;
  path: string | null;
  sha256: string;
  width: number;
  height: number;
  source: ImageSource;
  provenance_json: string;
}
interface ItemRow {
  id: number;
  study_id: number;
  condition: string;
  image_id: number;
  image_b_id: number | null;
  is_gold: number;
  gold_answer: string | null;
}
interface AssignmentRow {
  id: number;
  public_id: string;
  study_id: number;
  rater_id: number;
  item_id: number;
  position: number;
  swapped: number;
}
interface AnswerRow {
  id: number;
  rater_id: number;
  idempotency_key: string;
  assignment_id: number;
  study_id: number;
  item_id: number;
  choice: Choice;
  winner: Winner | null;
  failed_criteria_json: string;
  comment: string;
  time_ms: number | null;
  created_at: string;
  retracted_at: string | null;
}

export interface NewStudy {
  name: string;
  mode: StudyMode;
  checklists: ChecklistConfig;
  ratersPerItem: number;
  goldRate: number;
  seed: number;
  instructions?: string;
}

export interface NewImage {
  studyId: number;
  condition: string;
  /** The image file; stored by path when inside the workspace, else its PNG bytes are copied. */
  file?: string;
  /** PNG bytes (required when the file is outside the workspace or not a PNG). */
  png?: Buffer;
  sha256: string;
  width: number;
  height: number;
  source: ImageSource;
  provenance: Provenance;
}

export interface NewAnswer {
  raterId: number;
  assignmentPublicId: string;
  idempotencyKey: string;
  choice: Choice;
  failedCriteria?: string[];
  comment?: string;
  timeMs?: number | null;
}

export class FeedbackStore {
  readonly db: Database.Database;
  readonly workspaceDir: string | undefined;
  private readonly key: Buffer;
  private readonly statements = new Map<string, Database.Statement>();
  private runner: Database.Transaction<(f: () => unknown) => unknown> | undefined;

  private constructor(opts: FeedbackStoreOptions) {
    const memory = opts.dbPath === ':memory:';
    this.workspaceDir = opts.workspaceDir ? resolve(opts.workspaceDir) : memory ? undefined : dirname(resolve(opts.dbPath));
    this.db = new Database(opts.dbPath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('synchronous = NORMAL');
    migrate(this.db, FEEDBACK_MIGRATION_KEY, FEEDBACK_MIGRATIONS);
    this.key = opts.key ?? (this.workspaceDir ? loadOrCreateKey(join(this.workspaceDir, KEY_FILE)) : newKey());
  }

  /** Prepared statements are cached: preparing dominated request time before. */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  static open(opts: FeedbackStoreOptions | string): FeedbackStore {
    return new FeedbackStore(typeof opts === 'string' ? { dbPath: opts } : opts);
  }

  /** Opens `<workspace>/medloop.db` (created when absent). */
  static openWorkspace(workspaceDir: string): FeedbackStore {
    if (!existsSync(workspaceDir)) throw new NotFoundError('workspace folder', workspaceDir);
    return new FeedbackStore({ dbPath: join(workspaceDir, 'medloop.db'), workspaceDir });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one IMMEDIATE transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    // One wrapper for all calls: better-sqlite3 prepares BEGIN/COMMIT per wrapper it creates.
    this.runner ??= this.db.transaction((f: () => unknown) => f());
    return this.runner.immediate(fn) as T;
  }

  // ── audit log ────────────────────────────────────────────────────────────

  audit(actor: string, action: string, subject: string | null = null, details: Record<string, unknown> = {}): void {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, action, subject, details_json) VALUES (?, ?, ?, ?, ?)')
      .run(now(), actor, action, subject, JSON.stringify(details));
  }

  auditLog(opts: { subjectPrefix?: string; limit?: number } = {}): AuditEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM audit_log WHERE (? IS NULL OR subject LIKE ? || \'%\') ORDER BY id LIMIT ?')
      .all(opts.subjectPrefix ?? null, opts.subjectPrefix ?? null, opts.limit ?? -1) as Array<{
      id: number;
      at: string;
      actor: string;
      action: string;
      subject: string | null;
      details_json: string;
    }>;
    return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, subject: r.subject, details: JSON.parse(r.details_json) }));
  }

  // ── raters and tokens ────────────────────────────────────────────────────

  private rater(row: RaterRow): Rater {
    return { id: row.id, name: row.name, role: row.role, simulated: row.simulated === 1, createdAt: row.created_at };
  }

  createRater(name: string, opts: { role?: RaterRole; simulated?: boolean; actor?: string } = {}): { rater: Rater; token: string } {
    const clean = name.trim();
    if (!/^[\p{L}\p{N}][\p{L}\p{N} ._@-]{0,63}$/u.test(clean)) {
      throw new InvalidInputError(`rater name '${name}' must be 1–64 letters, digits, spaces or . _ @ - (starting with a letter or digit)`);
    }
    return this.transaction(() => {
      if (this.findRater(clean)) throw new ConflictError(`rater '${clean}' already exists`);
      // Insert with a placeholder hash to learn the id, then set the derived token's hash.
      const placeholder = randomBytes(32);
      const id = Number(
        this.db
          .prepare('INSERT INTO raters (name, role, token_hash, simulated, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(clean, opts.role ?? 'rater', placeholder, opts.simulated ? 1 : 0, now()).lastInsertRowid,
      );
      const token = deriveToken(this.key, id, 1);
      this.stmt('UPDATE raters SET token_hash = ? WHERE id = ?').run(hashToken(token), id);
      this.audit(opts.actor ?? 'system', 'rater.create', `rater:${id}`, { name: clean, role: opts.role ?? 'rater', simulated: Boolean(opts.simulated) });
      return { rater: this.getRater(id), token };
    });
  }

  /** The admin account (created on first call) and its token. */
  ensureAdmin(): { rater: Rater; token: string } {
    const row = this.stmt("SELECT * FROM raters WHERE role = 'admin' ORDER BY id LIMIT 1").get() as RaterRow | undefined;
    if (row) return { rater: this.rater(row), token: this.tokenFor(row.id) };
    return this.createRater(ADMIN_NAME, { role: 'admin' });
  }

  getRater(id: number): Rater {
    const row = this.stmt('SELECT * FROM raters WHERE id = ?').get(id) as RaterRow | undefined;
    if (!row) throw new NotFoundError('rater', id);
    return this.rater(row);
  }

  findRater(name: string): Rater | undefined {
    const row = this.stmt('SELECT * FROM raters WHERE name = ?').get(name.trim()) as RaterRow | undefined;
    return row ? this.rater(row) : undefined;
  }

  listRaters(opts: { role?: RaterRole } = {}): Rater[] {
    const rows = this.stmt('SELECT * FROM raters WHERE (? IS NULL OR role = ?) ORDER BY id').all(opts.role ?? null, opts.role ?? null) as RaterRow[];
    return rows.map((r) => this.rater(r));
  }

  /**
   * Re-derives a rater's current token from the workspace key. Throws when the key no
   * longer matches the stored hash (key file replaced): reissue the token then.
   */
  tokenFor(raterId: number): string {
    const row = this.stmt('SELECT * FROM raters WHERE id = ?').get(raterId) as RaterRow | undefined;
    if (!row) throw new NotFoundError('rater', raterId);
    const token = deriveToken(this.key, row.id, row.token_version);
    if (!sameHash(hashToken(token), row.token_hash)) {
      throw new FeedbackError(`rater '${row.name}': the workspace key does not match its token (key file ${KEY_FILE} replaced?); reissue the token`, 'key_mismatch', 500);
    }
    return token;
  }

  /** Revokes a rater's link and returns the new token. */
  reissueToken(raterId: number, actor = 'system'): string {
    return this.transaction(() => {
      const row = this.stmt('SELECT * FROM raters WHERE id = ?').get(raterId) as RaterRow | undefined;
      if (!row) throw new NotFoundError('rater', raterId);
      const version = row.token_version + 1;
      const token = deriveToken(this.key, row.id, version);
      this.stmt('UPDATE raters SET token_hash = ?, token_version = ? WHERE id = ?').run(hashToken(token), version, raterId);
      this.audit(actor, 'rater.reissue_token', `rater:${raterId}`, { version });
      return token;
    });
  }

  /** The rater a token belongs to, or undefined. The hash is compared in constant time. */
  authenticate(token: string): Rater | undefined {
    if (typeof token !== 'string' || token.length < 16 || token.length > 128) return undefined;
    const hash = hashToken(token);
    const row = this.stmt('SELECT * FROM raters WHERE token_hash = ?').get(hash) as RaterRow | undefined;
    if (!row || !sameHash(hash, row.token_hash)) return undefined;
    return this.rater(row);
  }

  // ── studies, images, items, assignments ──────────────────────────────────

  private study(row: StudyRow): Study {
    return {
      id: row.id,
      name: row.name,
      mode: row.mode,
      checklists: JSON.parse(row.checklists_json) as ChecklistConfig,
      ratersPerItem: row.raters_per_item,
      goldRate: row.gold_rate,
      seed: row.seed,
      status: row.status,
      instructions: row.instructions,
      createdAt: row.created_at,
    };
  }

  insertStudy(spec: NewStudy, actor = 'system'): Study {
    return this.transaction(() => {
      if (this.stmt('SELECT 1 FROM studies WHERE name = ?').get(spec.name)) throw new ConflictError(`study '${spec.name}' already exists`);
      const id = Number(
        this.db
          .prepare(
            'INSERT INTO studies (name, mode, checklists_json, raters_per_item, gold_rate, seed, status, instructions, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(spec.name, spec.mode, JSON.stringify(spec.checklists), spec.ratersPerItem, spec.goldRate, spec.seed, 'open', spec.instructions ?? '', now())
          .lastInsertRowid,
      );
      this.audit(actor, 'study.create', `study:${id}`, { name: spec.name, mode: spec.mode, ratersPerItem: spec.ratersPerItem, goldRate: spec.goldRate, seed: spec.seed });
      return this.getStudy(id);
    });
  }

  getStudy(id: number): Study {
    const row = this.stmt('SELECT * FROM studies WHERE id = ?').get(id) as StudyRow | undefined;
    if (!row) throw new NotFoundError('study', id);
    return this.study(row);
  }

  /** By name, or by numeric id given as text (CLI `--study`). */
  findStudy(nameOrId: string | number): Study | undefined {
    const row = (this.stmt('SELECT * FROM studies WHERE name = ?').get(String(nameOrId)) ??
      (/^\d+$/.test(String(nameOrId)) ? this.stmt('SELECT * FROM studies WHERE id = ?').get(Number(nameOrId)) : undefined)) as StudyRow | undefined;
    return row ? this.study(row) : undefined;
  }

  listStudies(): Study[] {
    return (this.stmt('SELECT * FROM studies ORDER BY id').all() as StudyRow[]).map((r) => this.study(r));
  }

  setStudyStatus(studyId: number, status: StudyStatus, actor = 'system'): Study {
    return this.transaction(() => {
      this.getStudy(studyId);
      this.stmt('UPDATE studies SET status = ? WHERE id = ?').run(status, studyId);
      this.audit(actor, 'study.status', `study:${studyId}`, { status });
      return this.getStudy(studyId);
    });
  }

  /** Stores an image by workspace-relative path when it lives in the workspace, else by bytes. */
  insertImage(img: NewImage): number {
    let path: string | null = null;
    let png: Buffer | null = null;
    if (img.file && !img.png && this.workspaceDir) {
      const real = realpathSync(img.file);
      const rel = relative(realpathSync(this.workspaceDir), real);
      if (rel && !rel.startsWith('..') && !isAbsolute(rel)) path = rel.split(sep).join('/');
    }
    if (path === null) png = img.png ?? (img.file ? readFileSync(img.file) : null);
    if (path === null && png === null) throw new InvalidInputError(`image for condition '${img.condition}': neither a file nor bytes given`);
    return Number(
      this.db
        .prepare('INSERT INTO images (study_id, condition, path, png, sha256, width, height, source, provenance_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(img.studyId, img.condition, path, png, img.sha256, img.width, img.height, img.source, JSON.stringify(img.provenance)).lastInsertRowid,
    );
  }

  insertItem(item: { studyId: number; condition: string; imageIds: number[]; goldAnswer?: string | null }): number {
    if (item.imageIds.length < 1 || item.imageIds.length > 2) throw new InvalidInputError(`item of study ${item.studyId}: needs 1 or 2 images, got ${item.imageIds.length}`);
    return Number(
      this.db
        .prepare('INSERT INTO items (study_id, condition, image_id, image_b_id, is_gold, gold_answer) VALUES (?, ?, ?, ?, ?, ?)')
        .run(item.studyId, item.condition, item.imageIds[0], item.imageIds[1] ?? null, item.goldAnswer ? 1 : 0, item.goldAnswer ?? null).lastInsertRowid,
    );
  }

  insertAssignments(studyId: number, rows: ReadonlyArray<{ raterId: number; itemId: number; position: number; swapped: boolean }>): void {
    const stmt = this.stmt('INSERT INTO assignments (public_id, study_id, rater_id, item_id, position, swapped) VALUES (?, ?, ?, ?, ?, ?)');
    this.transaction(() => {
      for (const r of rows) stmt.run(randomBytes(12).toString('base64url'), studyId, r.raterId, r.itemId, r.position, r.swapped ? 1 : 0);
    });
  }

  private image(row: ImageRow): ImageRecord {
    return {
      id: row.id,
      studyId: row.study_id,
      condition: row.condition,
      path: row.path !== null && this.workspaceDir ? join(this.workspaceDir, row.path) : null,
      sha256: row.sha256,
      width: row.width,
      height: row.height,
      source: row.source,
      provenance: JSON.parse(row.provenance_json) as Provenance,
    };
  }

  getImage(imageId: number): ImageRecord {
    const row = this.stmt('SELECT id, study_id, condition, path, sha256, width, height, source, provenance_json FROM images WHERE id = ?').get(imageId) as ImageRow | undefined;
    if (!row) throw new NotFoundError('image', imageId);
    return this.image(row);
  }

  listImages(studyId: number): ImageRecord[] {
    const rows = this.stmt('SELECT id, study_id, condition, path, sha256, width, height, source, provenance_json FROM images WHERE study_id = ? ORDER BY id').all(studyId) as ImageRow[];
    return rows.map((r) => this.image(r));
  }

  /** The image's PNG bytes as stored (metadata included). Fails when a workspace file changed since the study was created. */
  imageBytes(imageId: number): Buffer {
    const row = this.stmt('SELECT path, png, sha256 FROM images WHERE id = ?').get(imageId) as { path: string | null; png: Buffer | null; sha256: string } | undefined;
    if (!row) throw new NotFoundError('image', imageId);
    if (row.png) return row.png;
    const file = join(this.workspaceDir ?? '.', row.path!);
    if (!existsSync(file)) throw new FeedbackError(`image ${imageId}: file ${file} is missing from the workspace`, 'image_missing', 500);
    const bytes = readFileSync(file);
    if (sha256Hex(bytes) !== row.sha256) throw new FeedbackError(`image ${imageId}: file ${file} changed since the study was created`, 'image_changed', 500);
    return bytes;
  }

  /** The image decoded into a Raster (reward-model training reads pixels this way, file or blob alike). */
  imageRaster(imageId: number): Raster {
    return decodePng(this.imageBytes(imageId));
  }

  private item(row: ItemRow): ItemRecord {
    return {
      id: row.id,
      studyId: row.study_id,
      condition: row.condition,
      imageIds: row.image_b_id === null ? [row.image_id] : [row.image_id, row.image_b_id],
      isGold: row.is_gold === 1,
      goldAnswer: row.gold_answer,
    };
  }

  listItems(studyId: number): ItemRecord[] {
    return (this.stmt('SELECT * FROM items WHERE study_id = ? ORDER BY id').all(studyId) as ItemRow[]).map((r) => this.item(r));
  }

  getItem(itemId: number): ItemRecord {
    const row = this.stmt('SELECT * FROM items WHERE id = ?').get(itemId) as ItemRow | undefined;
    if (!row) throw new NotFoundError('item', itemId);
    return this.item(row);
  }

  private assignment(row: AssignmentRow): AssignmentRecord {
    return { id: row.id, publicId: row.public_id, studyId: row.study_id, raterId: row.rater_id, itemId: row.item_id, position: row.position, swapped: row.swapped === 1 };
  }

  listAssignments(studyId: number, raterId?: number): AssignmentRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM assignments WHERE study_id = ? AND (? IS NULL OR rater_id = ?) ORDER BY rater_id, position')
      .all(studyId, raterId ?? null, raterId ?? null) as AssignmentRow[];
    return rows.map((r) => this.assignment(r));
  }

  /** A rater's own assignment by its public id; another rater's id reads as not found. */
  raterAssignment(raterId: number, publicId: string): AssignmentRecord {
    const row = this.stmt('SELECT * FROM assignments WHERE public_id = ? AND rater_id = ?').get(publicId, raterId) as AssignmentRow | undefined;
    if (!row) throw new NotFoundError('assignment', publicId);
    return this.assignment(row);
  }

  /** Raters with at least one assignment in the study. */
  studyRaters(studyId: number): Rater[] {
    const rows = this.stmt('SELECT r.* FROM raters r WHERE r.id IN (SELECT rater_id FROM assignments WHERE study_id = ?) ORDER BY r.id').all(studyId) as RaterRow[];
    return rows.map((r) => this.rater(r));
  }

  isAssigned(studyId: number, raterId: number): boolean {
    return Boolean(this.stmt('SELECT 1 FROM assignments WHERE study_id = ? AND rater_id = ? LIMIT 1').get(studyId, raterId));
  }

  /** Studies a rater has assignments in. */
  raterStudies(raterId: number): Study[] {
    const rows = this.stmt('SELECT * FROM studies WHERE id IN (SELECT study_id FROM assignments WHERE rater_id = ?) ORDER BY id').all(raterId) as StudyRow[];
    return rows.map((r) => this.study(r));
  }

  progress(studyId: number, raterId: number): Progress {
    const r = this.db
      .prepare(
        `SELECT COUNT(*) AS total,
                COUNT(ans.id) AS done
         FROM assignments a LEFT JOIN answers ans ON ans.assignment_id = a.id AND ans.retracted_at IS NULL
         WHERE a.study_id = ? AND a.rater_id = ?`,
      )
      .get(studyId, raterId) as { total: number; done: number };
    return { done: r.done, total: r.total };
  }

  /** The first assignment in the rater's order without a live answer. */
  nextAssignment(studyId: number, raterId: number): AssignmentRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT a.* FROM assignments a
         WHERE a.study_id = ? AND a.rater_id = ?
           AND NOT EXISTS (SELECT 1 FROM answers x WHERE x.assignment_id = a.id AND x.retracted_at IS NULL)
         ORDER BY a.position LIMIT 1`,
      )
      .get(studyId, raterId) as AssignmentRow | undefined;
    return row ? this.assignment(row) : undefined;
  }

  /** The rater's most recent live answer in a study (what undo retracts). */
  lastLiveAnswer(studyId: number, raterId: number): (StoredAnswer & { assignmentPublicId: string }) | undefined {
    const row = this.db
      .prepare(
        `SELECT x.*, a.public_id AS assignment_public_id FROM answers x JOIN assignments a ON a.id = x.assignment_id
         WHERE x.study_id = ? AND x.rater_id = ? AND x.retracted_at IS NULL ORDER BY x.id DESC LIMIT 1`,
      )
      .get(studyId, raterId) as (AnswerRow & { assignment_public_id: string }) | undefined;
    return row ? { ...this.answer(row), assignmentPublicId: row.assignment_public_id } : undefined;
  }

  // ── answers ──────────────────────────────────────────────────────────────

  private answer(row: AnswerRow): StoredAnswer {
    return {
      id: row.id,
      raterId: row.rater_id,
      idempotencyKey: row.idempotency_key,
      assignmentId: row.assignment_id,
      studyId: row.study_id,
      itemId: row.item_id,
      choice: row.choice,
      winner: row.winner,
      failedCriteria: JSON.parse(row.failed_criteria_json) as string[],
      comment: row.comment,
      timeMs: row.time_ms,
      createdAt: row.created_at,
      retractedAt: row.retracted_at,
    };
  }

  /**
   * Stores an answer exactly once per (rater, idempotency key): a retry with the same key
   * and content returns the stored answer (`duplicate: true`); the same key with different
   * content, a second live answer for an assignment, or a closed study is a ConflictError.
   */
  recordAnswer(input: NewAnswer): { answer: StoredAnswer; duplicate: boolean } {
    const failed = [...new Set(input.failedCriteria ?? [])].sort();
    const comment = (input.comment ?? '').trim();
    return this.transaction(() => {
      const assignment = this.raterAssignment(input.raterId, input.assignmentPublicId);
      const existing = this.stmt('SELECT * FROM answers WHERE rater_id = ? AND idempotency_key = ?').get(input.raterId, input.idempotencyKey) as AnswerRow | undefined;
      if (existing) {
        const prior = this.answer(existing);
        const same = prior.assignmentId === assignment.id && prior.choice === input.choice && prior.comment === comment && JSON.stringify(prior.failedCriteria) === JSON.stringify(failed);
        if (!same) throw new ConflictError(`idempotency key '${input.idempotencyKey}' was already used for a different answer`);
        return { answer: prior, duplicate: true };
      }
      const study = this.getStudy(assignment.studyId);
      if (study.status !== 'open') throw new ConflictError(`study '${study.name}' is closed`);
      const item = this.getItem(assignment.itemId);
      let winner: Winner | null = null;
      if (study.mode === 'binary') {
        if (input.choice !== 'plausible' && input.choice !== 'implausible') throw new InvalidInputError(`choice '${input.choice}' is not valid in a binary study (plausible | implausible)`);
        const allowed = new Set(checklistFor(study.checklists, item.condition).map((c) => c.id));
        const unknown = failed.filter((f) => !allowed.has(f));
        if (unknown.length) throw new InvalidInputError(`failedCriteria: '${unknown.join("', '")}' not in the checklist for this item`);
      } else {
        if (input.choice !== 'left' && input.choice !== 'right' && input.choice !== 'tie') throw new InvalidInputError(`choice '${input.choice}' is not valid in a pairwise study (left | right | tie)`);
        if (failed.length) throw new InvalidInputError('failedCriteria must be empty in a pairwise study');
        winner = input.choice === 'tie' ? 'tie' : (input.choice === 'left') !== assignment.swapped ? 'a' : 'b';
      }
      const live = this.stmt('SELECT id FROM answers WHERE assignment_id = ? AND retracted_at IS NULL').get(assignment.id);
      if (live) throw new ConflictError(`assignment '${assignment.publicId}' is already answered; undo it first`);
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO answers (rater_id, idempotency_key, assignment_id, study_id, item_id, choice, winner, failed_criteria_json, comment, time_ms, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(input.raterId, input.idempotencyKey, assignment.id, study.id, item.id, input.choice, winner, JSON.stringify(failed), comment, input.timeMs ?? null, now())
          .lastInsertRowid,
      );
      this.audit(`rater:${input.raterId}`, 'answer.create', `answer:${id}`, {
        study: study.id,
        item: item.id,
        assignment: assignment.publicId,
        choice: input.choice,
        winner,
        failedCriteria: failed,
        comment,
        timeMs: input.timeMs ?? null,
        idempotencyKey: input.idempotencyKey,
      });
      return { answer: this.getAnswer(id), duplicate: false };
    });
  }

  getAnswer(id: number): StoredAnswer {
    const row = this.stmt('SELECT * FROM answers WHERE id = ?').get(id) as AnswerRow | undefined;
    if (!row) throw new NotFoundError('answer', id);
    return this.answer(row);
  }

  /** Retracts the live answer of one of the rater's assignments (undo). Idempotent: null when none is live. */
  retract(raterId: number, assignmentPublicId: string): StoredAnswer | null {
    return this.transaction(() => {
      const assignment = this.raterAssignment(raterId, assignmentPublicId);
      const study = this.getStudy(assignment.studyId);
      if (study.status !== 'open') throw new ConflictError(`study '${study.name}' is closed`);
      const row = this.stmt('SELECT * FROM answers WHERE assignment_id = ? AND retracted_at IS NULL').get(assignment.id) as AnswerRow | undefined;
      if (!row) return null;
      this.stmt('UPDATE answers SET retracted_at = ? WHERE id = ?').run(now(), row.id);
      this.audit(`rater:${raterId}`, 'answer.retract', `answer:${row.id}`, { study: study.id, assignment: assignment.publicId });
      return this.getAnswer(row.id);
    });
  }

  /** A rater's own answers in a study (what the rating page may show back to them). */
  raterAnswers(studyId: number, raterId: number, opts: { includeRetracted?: boolean } = {}): Array<StoredAnswer & { assignmentPublicId: string }> {
    const rows = this.db
      .prepare(
        `SELECT x.*, a.public_id AS assignment_public_id FROM answers x JOIN assignments a ON a.id = x.assignment_id
         WHERE x.study_id = ? AND x.rater_id = ? AND (? = 1 OR x.retracted_at IS NULL) ORDER BY x.id`,
      )
      .all(studyId, raterId, opts.includeRetracted ? 1 : 0) as Array<AnswerRow & { assignment_public_id: string }>;
    return rows.map((r) => ({ ...this.answer(r), assignmentPublicId: r.assignment_public_id }));
  }

  /**
   * Every answer of a study joined with its item, rater, images and provenance: the input of
   * reward-model training, agreement and exports. Retracted answers only when asked.
   */
  listAnswers(studyId: number, opts: { includeRetracted?: boolean; includeGold?: boolean } = {}): AnswerRecord[] {
    const study = this.getStudy(studyId);
    const rows = this.db
      .prepare(
        `SELECT x.*, r.name AS rater_name, r.simulated AS rater_simulated, a.public_id AS assignment_public_id, a.swapped AS swapped,
                i.condition AS condition, i.is_gold AS is_gold, i.gold_answer AS gold_answer, i.image_id AS image_id, i.image_b_id AS image_b_id
         FROM answers x
         JOIN raters r ON r.id = x.rater_id
         JOIN assignments a ON a.id = x.assignment_id
         JOIN items i ON i.id = x.item_id
         WHERE x.study_id = ? AND (? = 1 OR x.retracted_at IS NULL) AND (? = 1 OR i.is_gold = 0)
         ORDER BY x.id`,
      )
      .all(studyId, opts.includeRetracted ? 1 : 0, opts.includeGold === false ? 0 : 1) as Array<
      AnswerRow & {
        rater_name: string;
        rater_simulated: number;
        assignment_public_id: string;
        swapped: number;
        condition: string;
        is_gold: number;
        gold_answer: string | null;
        image_id: number;
        image_b_id: number | null;
      }
    >;
    const images = new Map(this.listImages(studyId).map((im) => [im.id, im] as const));
    return rows.map((r) => {
      const base = this.answer(r);
      const imgs = [images.get(r.image_id)!, ...(r.image_b_id !== null ? [images.get(r.image_b_id)!] : [])];
      const outcome = study.mode === 'binary' ? base.choice : base.winner;
      return {
        ...base,
        studyName: study.name,
        mode: study.mode,
        raterName: r.rater_name,
        simulated: r.rater_simulated === 1,
        assignmentPublicId: r.assignment_public_id,
        swapped: r.swapped === 1,
        condition: r.condition,
        isGold: r.is_gold === 1,
        goldAnswer: r.gold_answer,
        correct: r.is_gold === 1 ? outcome === r.gold_answer : null,
        images: imgs,
        winnerImageId: base.winner === 'a' ? r.image_id : base.winner === 'b' ? r.image_b_id : null,
      };
    });
  }

  /** PNG bytes a rater may see for one side of an assignment: metadata chunks stripped. */
  raterImage(raterId: number, assignmentPublicId: string, side: 'single' | 'left' | 'right'): Buffer {
    const assignment = this.raterAssignment(raterId, assignmentPublicId);
    const item = this.getItem(assignment.itemId);
    let imageId: number | undefined;
    if (side === 'single') imageId = item.imageIds.length === 1 ? item.imageIds[0] : undefined;
    else if (item.imageIds.length === 2) imageId = item.imageIds[(side === 'left') !== assignment.swapped ? 0 : 1];
    if (imageId === undefined) throw new NotFoundError('image', `${assignmentPublicId}/${side}`);
    return stripPngMetadata(this.imageBytes(imageId), `image of assignment ${assignmentPublicId}`);
  }
}
