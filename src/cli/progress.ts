// Progress for long work: a redrawn bar with rate and ETA on a terminal, plain
// lines (at most one every few seconds) when output goes to a file or CI log.
export interface ProgressOptions {
  label: string;
  total: number;
  stream?: NodeJS.WriteStream;
  /** Minimum seconds between plain-text lines when not on a TTY. */
  plainInterval?: number;
  /** Hide all output (tests). */
  silent?: boolean;
  /**
   * The work may resume partway (a run restarted from its checkpoint): the first position
   * reported, less one unit, was done before this process, so the rate and ETA count only
   * the units done here. Without it a resumed run's first update looks like many units in
   * one interval and its ETA is far too short.
   */
  resumable?: boolean;
  /** The clock in milliseconds (tests). */
  now?: () => number;
}

export class Progress {
  private readonly now: () => number;
  private readonly start: number;
  private lastPrint = 0;
  private done = 0;
  /** Units done before this process (set on the first update of a resumable bar). */
  private before: number | null = null;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(private readonly opts: ProgressOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.start = this.now();
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY) && !process.env.CI;
  }

  /** Advance by `n` units; `info` is shown after the bar (e.g. `loss 0.031`). */
  tick(n = 1, info = ''): void {
    this.before ??= 0;
    this.done = Math.min(this.opts.total, this.done + n);
    this.render(info, this.done === this.opts.total);
  }

  set(done: number, info = ''): void {
    this.before ??= this.opts.resumable ? Math.max(0, Math.min(this.opts.total, done) - 1) : 0;
    this.done = Math.min(this.opts.total, done);
    this.render(info, this.done === this.opts.total);
  }

  finish(info = ''): void {
    this.done = this.opts.total;
    this.render(info, true);
  }

  private render(info: string, final: boolean): void {
    if (this.opts.silent) return;
    const now = this.now();
    const elapsed = (now - this.start) / 1000;
    const minGap = this.tty ? 0.1 : (this.opts.plainInterval ?? 5);
    if (!final && now - this.lastPrint < minGap * 1000) return;
    this.lastPrint = now;
    const frac = this.opts.total > 0 ? this.done / this.opts.total : 1;
    const here = this.done - (this.before ?? 0);
    const eta = here > 0 ? (elapsed / here) * (this.opts.total - this.done) : NaN;
    const rate = elapsed > 0 ? here / elapsed : 0;
    const stats = `${this.done}/${this.opts.total} ${rate.toFixed(rate < 10 ? 2 : 0)}/s elapsed ${formatSeconds(elapsed)} eta ${formatSeconds(eta)}`;
    if (this.tty) {
      const width = 24;
      const filled = Math.round(frac * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      this.stream.write(`\r\x1b[2K${this.opts.label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${stats}${info ? ' ' + info : ''}`);
      if (final) this.stream.write('\n');
    } else {
      this.stream.write(`${this.opts.label}: ${(frac * 100).toFixed(0)}% ${stats}${info ? ' ' + info : ''}\n`);
    }
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * One bar over models trained one after another (an ensemble's members), each reporting
 * its own steps from 1. The bar opens on the first report, once the step count is known;
 * its label names the member count.
 */
export class MembersProgress {
  private bar: Progress | null = null;
  private member = 0;
  private lastStep = 0;

  constructor(
    private readonly opts: Omit<ProgressOptions, 'total'>,
    private readonly members: number,
  ) {}

  readonly report = (p: { step: number; steps: number; loss: number }): void => {
    // the step count starting again means the next member
    if (p.step < this.lastStep) this.member++;
    this.lastStep = p.step;
    this.bar ??= new Progress({ ...this.opts, label: this.members > 1 ? `${this.opts.label} (${this.members} members)` : this.opts.label, total: p.steps * this.members });
    this.bar.set(this.member * p.steps + p.step, `loss ${p.loss.toFixed(3)}`);
  };

  finish(): void {
    this.bar?.finish();
  }
}
