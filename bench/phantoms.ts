// Phantom benchmark: generation throughput (render + PNG + disk, as `medloop phantoms`
// writes them), oracle accuracy on valid phantoms per criterion, cross-class confusion,
// rejection of every broken kind, and what the cell oracle says about real pbc64 cells.
// Final line: JSON. Sizes via env: PHANTOM_BENCH_N (images timed, default 10000),
// PHANTOM_BENCH_EVAL (valid images per class/size, default 200).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImageSync } from '../src/data/decode.js';
import {
  BROKEN_CXR_KINDS,
  brokenCellPairs,
  CELL_CRITERIA,
  CELL_LABELS,
  cellVerdictFrom,
  CXR_CRITERIA,
  judgeCxr,
  measureCell,
  renderBrokenCell,
  renderBrokenCxr,
  renderCell,
  renderCxr,
  writePhantomDataset,
} from '../src/data/phantoms/index.js';

const N = Number(process.env.PHANTOM_BENCH_N ?? 10000);
const EVAL = Number(process.env.PHANTOM_BENCH_EVAL ?? 200);
const REAL = Number(process.env.PHANTOM_BENCH_REAL ?? 100);
const pct = (x: number): string => (100 * x).toFixed(1).padStart(6);
const cpuSeconds = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

function timeWrite(kind: 'cells' | 'cxr', n: number, size: number): { n: number; seconds: number; cpuSeconds: number; perSecond: number } {
  const dir = mkdtempSync(join(tmpdir(), `medloop-phantoms-${kind}-`));
  try {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    writePhantomDataset({ kind, n, size, seed: 1, out: dir });
    const seconds = (performance.now() - t0) / 1000;
    return { n, seconds, cpuSeconds: cpuSeconds() - c0, perSecond: n / seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 1. Oracle on valid cells: per-criterion accuracy and cross-class confusion.
const cellCriterionAccuracy: Record<string, Record<string, number>> = {};
let cellWorstCriterion = 1;
const oracleTimes: number[] = [];
for (const size of [64, 32]) {
  console.log(`\n== blood cells ${size}px: valid phantoms, % passing each criterion | % judged plausible when stated as each class (rows: drawn class)`);
  console.log(''.padEnd(13) + CELL_CRITERIA.map((c) => c.slice(0, 9).padStart(10)).join('') + '  |' + CELL_LABELS.map((c) => c.slice(0, 6).padStart(7)).join(''));
  for (const label of CELL_LABELS) {
    const pass = CELL_CRITERIA.map(() => 0);
    const conf = CELL_LABELS.map(() => 0);
    for (let i = 0; i < EVAL; i++) {
      const { image } = renderCell({ label, size, seed: 1_000_000 + i });
      const t0 = performance.now();
      const m = measureCell(image);
      oracleTimes.push(performance.now() - t0);
      cellVerdictFrom(m, label).criteria.forEach((c, k) => (pass[k]! += c.pass ? 1 : 0));
      CELL_LABELS.forEach((l, k) => (conf[k]! += cellVerdictFrom(m, l).plausible ? 1 : 0));
    }
    const acc = Object.fromEntries(CELL_CRITERIA.map((c, k) => [c, pass[k]! / EVAL]));
    cellCriterionAccuracy[`${label}@${size}`] = acc;
    cellWorstCriterion = Math.min(cellWorstCriterion, ...Object.values(acc));
    console.log(label.padEnd(13) + pass.map((p) => pct(p / EVAL).padStart(10)).join('') + '  |' + conf.map((p) => pct(p / EVAL).padStart(7)).join(''));
  }
}

// 2. Broken cells: rejection per (kind, class).
const BROKEN_N = Math.max(20, Math.round(EVAL / 2));
let cellWorstRejection = 1;
const cellRejection: Record<string, number> = {};
for (const size of [64, 32]) {
  console.log(`\n== blood cells ${size}px: broken variants (${BROKEN_N} each): % rejected, % flagging the violated criterion`);
  for (const { label, kind } of brokenCellPairs()) {
    let rejected = 0;
    let flagged = 0;
    for (let i = 0; i < BROKEN_N; i++) {
      const { image } = renderBrokenCell({ label, kind: kind.name, size, seed: 2_000_000 + i });
      const v = cellVerdictFrom(measureCell(image), label);
      if (!v.plausible) rejected++;
      if (v.failedCriteria.includes(kind.criterion)) flagged++;
    }
    cellRejection[`${kind.name}/${label}@${size}`] = rejected / BROKEN_N;
    cellWorstRejection = Math.min(cellWorstRejection, rejected / BROKEN_N);
    console.log(`${kind.name.padEnd(17)} ${label.padEnd(13)} (${kind.criterion.padEnd(23)}) rejected ${pct(rejected / BROKEN_N)}  flagged ${pct(flagged / BROKEN_N)}`);
  }
}

// 3. Chest X-rays: per-criterion accuracy against their own reports, broken rejection.
let cxrWorstCriterion = 1;
let cxrWorstRejection = 1;
const cxrCriterionAccuracy: Record<string, Record<string, number>> = {};
const cxrRejection: Record<string, number> = {};
for (const size of [64, 32]) {
  const pass: Record<string, number> = {};
  let plausible = 0;
  for (let i = 0; i < EVAL * 2; i++) {
    const { image, report } = renderCxr({ size, seed: 3_000_000 + i });
    const v = judgeCxr(image, report);
    if (v.plausible) plausible++;
    for (const c of v.criteria) pass[c.criterion] = (pass[c.criterion] ?? 0) + (c.pass ? 1 : 0);
  }
  const acc = Object.fromEntries(CXR_CRITERIA.map((c) => [c, (pass[c] ?? 0) / (EVAL * 2)]));
  cxrCriterionAccuracy[size] = acc;
  if (size === 64) cxrWorstCriterion = Math.min(...Object.values(acc));
  console.log(`\n== chest X-rays ${size}px: ${EVAL * 2} valid phantoms judged against their own reports: ${pct(plausible / (EVAL * 2))}% plausible; % correct per criterion:`);
  console.log(CXR_CRITERIA.map((c) => `${c} ${pct(acc[c]!)}`).join('\n'));
  console.log(`-- broken (${BROKEN_N} each): % rejected, % flagging the violated criterion`);
  for (const kind of BROKEN_CXR_KINDS) {
    let rejected = 0;
    let flagged = 0;
    for (let i = 0; i < BROKEN_N; i++) {
      const b = renderBrokenCxr({ kind: kind.name, size, seed: 4_000_000 + i });
      const v = judgeCxr(b.image, b.report);
      if (!v.plausible) rejected++;
      if (v.failedCriteria.includes(b.criterion)) flagged++;
    }
    cxrRejection[`${kind.name}@${size}`] = rejected / BROKEN_N;
    if (size === 64) cxrWorstRejection = Math.min(cxrWorstRejection, rejected / BROKEN_N);
    console.log(`${kind.name.padEnd(18)} rejected ${pct(rejected / BROKEN_N)}  flagged ${pct(flagged / BROKEN_N)}`);
  }
}

// 4. Real pbc64 cells judged against their own class.
const realRate: Record<string, number> = {};
const pbc = join(import.meta.dirname, '..', '..', 'shared', 'data', 'pbc64');
if (existsSync(pbc)) {
  console.log(`\n== real pbc64 cells (${REAL} per class, every 7th file): % plausible for their own class; most failed criteria`);
  for (const label of CELL_LABELS) {
    const files = readdirSync(join(pbc, label)).sort().filter((_, i) => i % 7 === 0).slice(0, REAL);
    let ok = 0;
    const fails: Record<string, number> = {};
    for (const f of files) {
      const v = cellVerdictFrom(measureCell(readImageSync(join(pbc, label, f))), label);
      if (v.plausible) ok++;
      for (const c of v.failedCriteria) fails[c] = (fails[c] ?? 0) + 1;
    }
    realRate[label] = ok / files.length;
    const top = Object.entries(fails).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c, k]) => `${c} ${pct(k / files.length).trim()}%`).join(', ');
    console.log(`${label.padEnd(13)} ${pct(ok / files.length)}%  (fails: ${top})`);
  }
} else console.log(`\n(real pbc64 not found at ${pbc}: skipped)`);

// 5. Throughput.
console.log(`\n== generation: ${N} blood cells (64 px) and ${Math.round(N / 5)} chest X-rays (64 px), rendered, PNG-encoded, written`);
const cells = timeWrite('cells', N, 64);
const cxr = timeWrite('cxr', Math.round(N / 5), 64);
console.log(`cells: ${cells.perSecond.toFixed(0)}/s (${cells.seconds.toFixed(1)} s wall, ${cells.cpuSeconds.toFixed(1)} s CPU); cxr: ${cxr.perSecond.toFixed(0)}/s`);
oracleTimes.sort((a, b) => a - b);

console.log(
  JSON.stringify({
    phantoms_per_s: Number(cells.perSecond.toFixed(1)),
    seconds_10k: Number(((cells.seconds * 10000) / N).toFixed(1)),
    cpu_seconds_10k: Number(((cells.cpuSeconds * 10000) / N).toFixed(1)),
    cxr_per_s: Number(cxr.perSecond.toFixed(1)),
    cxr_seconds_10k: Number(((cxr.seconds * 10000) / cxr.n).toFixed(1)),
    cell_oracle_ms_p50: Number(oracleTimes[Math.floor(oracleTimes.length / 2)]!.toFixed(2)),
    cell_min_criterion_accuracy: Number(cellWorstCriterion.toFixed(3)),
    cell_min_broken_rejection: Number(cellWorstRejection.toFixed(3)),
    cxr64_min_criterion_accuracy: Number(cxrWorstCriterion.toFixed(3)),
    cxr64_min_broken_rejection: Number(cxrWorstRejection.toFixed(3)),
    real_pbc64_plausible: Object.fromEntries(Object.entries(realRate).map(([k, v]) => [k, Number(v.toFixed(2))])),
    eval_per_class: EVAL,
    n: N,
  }),
);
