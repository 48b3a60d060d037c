// Shared by the `serve` and `study …` commands: opening the workspace's feedback store,
// finding a study by name or id, and the default link base.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ParsedOptions, stringOption, UsageError } from '../command.js';
import { FeedbackStore, type Study } from '../../feedback/index.js';

export const DEFAULT_PORT = 8377;

export const workspaceOption = { type: 'string', description: 'workspace folder (medloop.db at its root)', default: '.' } as const;

export function openWorkspaceStore(opts: ParsedOptions): FeedbackStore {
  const dir = resolve(stringOption(opts, 'workspace') ?? '.');
  if (!existsSync(dir)) throw new UsageError(`--workspace: folder ${dir} does not exist`);
  return FeedbackStore.openWorkspace(dir);
}

export function requireStudy(store: FeedbackStore, nameOrId: string): Study {
  const study = store.findStudy(nameOrId);
  if (!study) {
    const known = store.listStudies().map((s) => `${s.id}: ${s.name}`);
    throw new UsageError(`--study: no study '${nameOrId}' in this workspace (${known.length ? known.join(', ') : 'none yet'})`);
  }
  return study;
}

/** Comma-separated list option (`--raters a,b,c`). */
export function listOption(opts: ParsedOptions, key: string): string[] {
  return (stringOption(opts, key) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
