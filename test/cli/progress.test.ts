// The progress line's rate and ETA, on a fresh run and on one resumed partway.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Progress } from '../../src/cli/progress.js';

/** A plain (non-TTY) bar on a clock the test moves; returns its lines. */
function bar(resumable: boolean): { progress: Progress; lines: string[]; advance: (seconds: number) => void } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  let ms = 0;
  const progress = new Progress({ label: 'ddpo', total: 64, stream, plainInterval: 0, resumable, now: () => ms });
  return { progress, lines, advance: (s) => (ms += s * 1000) };
}

/** Reports units `from`…`to`, one every 2 s; returns the last line. */
function feed(resumable: boolean, from: number, to: number): string {
  const { progress, lines, advance } = bar(resumable);
  for (let i = from; i <= to; i++) {
    advance(2);
    progress.set(i);
  }
  return lines.at(-1)!;
}

function stats(line: string | undefined): { rate: number; eta: string } {
  const m = /(\d+(?:\.\d+)?)\/s elapsed \S+ eta (\S+)/.exec(line ?? '');
  assert.ok(m, `no rate in ${line}`);
  return { rate: Number(m[1]), eta: m[2]! };
}

test('a fresh run: the rate is the units over the elapsed time and the ETA the rest at that rate', () => {
  assert.deepEqual(stats(feed(false, 1, 4)), { rate: 0.5, eta: '2m00s' }, '4 units in 8 s, 60 left');
});

test('a resumed run counts only the units done in this process: 32 of 64 done before, then one every 2 s', () => {
  const last = feed(true, 33, 36);
  assert.match(last, /36\/64/, 'the count shows the whole run');
  assert.deepEqual(stats(last), { rate: 0.5, eta: '56s' }, '4 units in 8 s, 28 left');
});

test('without `resumable`, the same resumed run reads as 36 units in 8 s (the too-short ETA it fixes)', () => {
  assert.deepEqual(stats(feed(false, 33, 36)), { rate: 4.5, eta: '6s' });
});

test('a resumable bar that starts from the beginning reads like a fresh one', () => {
  assert.deepEqual(stats(feed(true, 1, 4)), { rate: 0.5, eta: '2m00s' });
});
