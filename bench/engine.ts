// `npm run bench:engine`: trains the reference mini-UNet (batch 32, 32×32×1, Adam 1e-3,
// MSE to a random target, 2 threads) and prints medians of step and forward times.
// When Debian's python3-torch is installed, runs the same net in Python PyTorch in the
// same command, alternating rounds so both see the same machine state, and prints ratios.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { F, adam, noGrad, randn, setNumThreads, tidy, engineInfo } from '../src/engine/index.js';
import { ReferenceNet } from './reference-net.js';

const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
setNumThreads(2);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function runOurs(): { step: number[]; fwd: number[] } {
  const net = new ReferenceNet();
  const opt = adam(net.parameters(), { lr: 1e-3 });
  const x = randn([32, 1, 32, 32]);
  const y = randn([32, 1, 32, 32]);
  const step: number[] = [];
  const fwd: number[] = [];
  for (let i = 0; i < STEPS + 3; i++) {
    const t0 = performance.now();
    tidy(() => {
      opt.zeroGrad();
      const loss = F.mseLoss(net.forward(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    });
    const t1 = performance.now();
    noGrad(() => tidy(() => void net.forward(x)));
    const t2 = performance.now();
    if (i >= 3) {
      step.push(t1 - t0);
      fwd.push(t2 - t1);
    }
  }
  net.dispose();
  x.dispose();
  y.dispose();
  return { step, fwd };
}

function runPython(): { step_ms: number; fwd_ms: number; backend: string } | null {
  const r = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'reference_net.py'), String(STEPS)], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const ours = { step: [] as number[], fwd: [] as number[] };
const py = { step: [] as number[], fwd: [] as number[] };
let pyBackend: string | null = null;
for (let round = 0; round < ROUNDS; round++) {
  const o = runOurs();
  ours.step.push(...o.step);
  ours.fwd.push(...o.fwd);
  const p = runPython();
  if (p) {
    py.step.push(p.step_ms);
    py.fwd.push(p.fwd_ms);
    pyBackend = p.backend;
  }
  console.error(`round ${round + 1}/${ROUNDS}: medloop step ${median(o.step).toFixed(1)} ms fwd ${median(o.fwd).toFixed(1)} ms` + (p ? `; python step ${p.step_ms.toFixed(1)} ms fwd ${p.fwd_ms.toFixed(1)} ms` : '; python3-torch not installed: no reference'));
}

// Forward FLOPs of the net: 2·k²·Cin·Cout·H·W per conv, times batch; a training step ≈ 3× forward.
const convs: [number, number, number][] = [
  [1, 32, 32], [32, 32, 32], [32, 64, 16], [64, 64, 16], [64, 64, 8], [64, 64, 8], [128, 64, 16], [96, 32, 32], [32, 1, 32],
];
const fwdFlops = 32 * convs.reduce((s, [ci, co, hw]) => s + 2 * 9 * ci * co * hw * hw, 0);
const stepMs = median(ours.step);
const fwdMs = median(ours.fwd);
const result: Record<string, unknown> = {
  step_ms: +stepMs.toFixed(2),
  fwd_ms: +fwdMs.toFixed(2),
  gflops: +((3 * fwdFlops) / (stepMs / 1e3) / 1e9).toFixed(2),
  backend: `libtorch-${engineInfo().version}`,
  threads: 2,
};
if (pyBackend) {
  result.reference = pyBackend;
  result.ref_step_ms = +median(py.step).toFixed(2);
  result.ref_fwd_ms = +median(py.fwd).toFixed(2);
  result.step_ratio = +(stepMs / median(py.step)).toFixed(3);
  result.fwd_ratio = +(fwdMs / median(py.fwd)).toFixed(3);
}
console.log(JSON.stringify(result));
