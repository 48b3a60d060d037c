// A workspace folder: medloop.yaml (config), medloop.db (runs, studies, ratings),
// runs/<run-id>/ (checkpoints, samples, metrics, reports).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_CONFIG_YAML, type MedloopConfig, loadConfig } from './config.js';
import { RunRegistry } from './run-registry.js';

export interface Workspace {
  dir: string;
  configFile: string;
  dbPath: string;
  runsDir: string;
  config: MedloopConfig;
  db: Database.Database;
  runs: RunRegistry;
  close(): void;
}

export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
}

/** Creates the folder, a commented medloop.yaml with every default, medloop.db and runs/. Keeps an existing config. */
export function initWorkspace(dir: string, configYaml = DEFAULT_CONFIG_YAML): Workspace {
  const root = resolve(dir);
  mkdirSync(join(root, 'runs'), { recursive: true });
  const configFile = join(root, 'medloop.yaml');
  if (!existsSync(configFile)) writeFileSync(configFile, configYaml);
  return openWorkspace(root);
}

export function openWorkspace(dir: string): Workspace {
  const root = resolve(dir);
  const configFile = join(root, 'medloop.yaml');
  if (!existsSync(configFile)) throw new WorkspaceError(`${root} is not a medloop workspace (no medloop.yaml): run \`medloop init ${dir}\``);
  const config = loadConfig(configFile);
  const runsDir = join(root, 'runs');
  mkdirSync(runsDir, { recursive: true });
  const dbPath = join(root, 'medloop.db');
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const runs = new RunRegistry(db);
  return { dir: root, configFile, dbPath, runsDir, config, db, runs, close: () => db.close() };
}
