// One progress bar over an ensemble's members, each of which counts its own steps from 1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MembersProgress } from '../../src/cli/progress.js';

test('MembersProgress runs one bar over every member: the second member’s step 1 follows the first member’s last step', () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  const bar = new MembersProgress({ label: 'reward', stream, plainInterval: 0 }, 3);
  for (let m = 0; m < 3; m++) for (let s = 1; s <= 4; s++) bar.report({ step: s, steps: 4, loss: 0.5 });
  const counts = lines.map((l) => /(\d+)\/(\d+)/.exec(l)).filter((x): x is RegExpExecArray => x !== null);
  assert.ok(counts.every((c) => c[2] === '12'), 'the total is steps × members');
  const done = counts.map((c) => Number(c[1]));
  assert.deepEqual(done, [...done].sort((a, b) => a - b), 'the count never goes back when a member starts');
  assert.equal(done.at(-1), 12);
  assert.ok(done.includes(5), 'the second member’s first step is step 5 of 12');
  assert.ok(lines.every((l) => l.startsWith('reward (3 members)')), 'the label names the member count');
});
