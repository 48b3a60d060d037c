// The run folder a demo stage trains into. A killed demo leaves `stages/<stage>.run` (the
// run's id) behind, so the stage's next attempt resumes that run from its last checkpoint
// instead of starting a new one (and, for DDPO on ratings, re-reads the studies its
// batches already are rather than asking the raters again).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type RunDir, resolveRunDir } from '../run-dir.js';
import type { DemoContext } from './context.js';

export function stageRun(ctx: DemoContext, stage: string, create: () => RunDir): { run: RunDir; resume: boolean } {
  const pending = join(ctx.ws.dir, 'stages', `${stage}.run`);
  if (existsSync(pending)) {
    const run = resolveRunDir(ctx.ws.dir, readFileSync(pending, 'utf8').trim());
    ctx.log(`${stage}: resuming run ${run.id}`);
    return { run, resume: true };
  }
  const run = create();
  mkdirSync(dirname(pending), { recursive: true });
  writeFileSync(pending, run.id);
  return { run, resume: false };
}
