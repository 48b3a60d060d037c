// The run registry: every run (pretrain, sample, reward, align, eval, demo stage)
// with its config, parent run, data, reward models and status, in the workspace's
// medloop.db. Samples and ratings point at a run id; the run points at its
// checkpoint folder and its parent, so any rating traces back to the exact weights.
import type Database from 'better-sqlite3';
import { migrate } from '../feedback/store/migrate.js';

const MIGRATIONS = [
  {
    version: 1,
    name: 'runs',
    sql: `CREATE TABLE runs (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      parent_id TEXT REFERENCES runs(id),
      status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
      config TEXT NOT NULL,
      data TEXT,
      reward_models TEXT,
      dir TEXT NOT NULL,
      created_at TEXT NOT NULL,
      finished_at TEXT,
      summary TEXT
    );
    CREATE INDEX runs_kind ON runs(kind);`,
  },
];

export type RunStatus = 'running' | 'finished' | 'failed';

export interface RunRecord {
  id: string;
  kind: string;
  parentId: string | null;
  status: RunStatus;
  config: Record<string, unknown>;
  data: string | null;
  rewardModels: string[];
  dir: string;
  createdAt: string;
  finishedAt: string | null;
  summary: Record<string, unknown> | null;
}

interface RunRow {
  id: string;
  kind: string;
  parent_id: string | null;
  status: RunStatus;
  config: string;
  data: string | null;
  reward_models: string | null;
  dir: string;
  created_at: string;
  finished_at: string | null;
  summary: string | null;
}

export class UnknownRunError extends Error {
  override name = 'UnknownRunError';
  constructor(id: string, known: string[]) {
    super(`no run '${id}' in this workspace${known.length ? ` (runs: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''})` : ' (it has no runs yet)'}`);
  }
}

export class RunRegistry {
  constructor(private readonly db: Database.Database) {
    migrate(db, 'workspace', MIGRATIONS);
  }

  register(run: { id: string; kind: string; parentId?: string | null; config: Record<string, unknown>; data?: string | null; rewardModels?: string[]; dir: string }): RunRecord {
    this.db
      .prepare('INSERT INTO runs (id, kind, parent_id, status, config, data, reward_models, dir, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(run.id, run.kind, run.parentId ?? null, 'running', JSON.stringify(run.config), run.data ?? null, JSON.stringify(run.rewardModels ?? []), run.dir, new Date().toISOString());
    return this.get(run.id);
  }

  finish(id: string, status: Exclude<RunStatus, 'running'>, summary: Record<string, unknown> = {}): void {
    const r = this.db.prepare('UPDATE runs SET status = ?, finished_at = ?, summary = ? WHERE id = ?').run(status, new Date().toISOString(), JSON.stringify(summary), id);
    if (r.changes === 0) throw new UnknownRunError(id, this.ids());
  }

  get(id: string): RunRecord {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) throw new UnknownRunError(id, this.ids());
    return toRecord(row);
  }

  find(id: string): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(kind?: string): RunRecord[] {
    const rows = (kind ? this.db.prepare('SELECT * FROM runs WHERE kind = ? ORDER BY created_at, id').all(kind) : this.db.prepare('SELECT * FROM runs ORDER BY created_at, id').all()) as RunRow[];
    return rows.map(toRecord);
  }

  /** The chain from a run up to its root: [run, parent, grandparent, …]. */
  lineage(id: string): RunRecord[] {
    const out: RunRecord[] = [];
    let cur: RunRecord | undefined = this.get(id);
    while (cur) {
      out.push(cur);
      cur = cur.parentId ? this.find(cur.parentId) : undefined;
    }
    return out;
  }

  private ids(): string[] {
    return (this.db.prepare('SELECT id FROM runs ORDER BY created_at').all() as { id: string }[]).map((r) => r.id);
  }
}

function toRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    kind: r.kind,
    parentId: r.parent_id,
    status: r.status,
    config: JSON.parse(r.config),
    data: r.data,
    rewardModels: r.reward_models ? JSON.parse(r.reward_models) : [],
    dir: r.dir,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    summary: r.summary ? JSON.parse(r.summary) : null,
  };
}
