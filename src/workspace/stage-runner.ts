// Runs a pipeline of named stages with resume: each finished stage leaves
// `<dir>/stages/<name>.json` (its result and seconds); a re-run skips finished
// stages and hands their recorded results to the stages after them. A stage
// killed midway has no marker and runs again (itself resuming from its own
// checkpoints where it has any).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StageRecord<R = unknown> {
  name: string;
  seconds: number;
  finishedAt: string;
  result: R;
}

export interface StageLog {
  (line: string): void;
}

export class StageRunner {
  readonly seconds: Record<string, number> = {};
  /** The recorded seconds of the stages this runner skipped (finished by an earlier run). */
  skippedSeconds = 0;
  private readonly dir: string;

  constructor(
    root: string,
    private readonly log: StageLog = (l) => console.error(l),
  ) {
    this.dir = join(root, 'stages');
    mkdirSync(this.dir, { recursive: true });
  }

  /** Runs `fn` unless the stage already finished; returns its (recorded) result. */
  async run<R>(name: string, fn: () => Promise<R> | R): Promise<R> {
    const marker = join(this.dir, `${name}.json`);
    if (existsSync(marker)) {
      const rec = JSON.parse(readFileSync(marker, 'utf8')) as StageRecord<R>;
      this.seconds[name] = rec.seconds;
      this.skippedSeconds += rec.seconds;
      this.log(`[${name}] already finished (${rec.seconds.toFixed(1)} s): skipped`);
      return rec.result;
    }
    this.log(`[${name}] started`);
    const t0 = performance.now();
    const result = await fn();
    const seconds = (performance.now() - t0) / 1000;
    this.seconds[name] = seconds;
    const rec: StageRecord<R> = { name, seconds, finishedAt: new Date().toISOString(), result };
    const tmp = `${marker}.tmp`;
    writeFileSync(tmp, JSON.stringify(rec, null, 1));
    renameSync(tmp, marker);
    this.log(`[${name}] finished in ${seconds.toFixed(1)} s`);
    return result;
  }

  isDone(name: string): boolean {
    return existsSync(join(this.dir, `${name}.json`));
  }
}
