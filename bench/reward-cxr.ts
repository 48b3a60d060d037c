// CXRL's reward models on the phantom X-rays (and covid-cxr64's clinical notes): posture
// regressor error on held-out warped X-rays, findings classifier AUROC, and dual-encoder
// image→report top-1 retrieval on held-out pairs. Prints a final JSON line.
//   node --import tsx bench/reward-cxr.ts [--n 600] [--size 64]
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadImages } from '../src/data/loader.js';
import { loadManifest } from '../src/data/manifest.js';
import { setNumThreads } from '../src/engine/index.js';
import { trainDualEncoder } from '../src/reward/consistency/train.js';
import { trainFindingsClassifier } from '../src/reward/diagnostic/train.js';
import { trainPostureRegressor } from '../src/reward/posture/train.js';
import { cxrSet } from './reward-testbed.js';

const { values: a } = parseArgs({
  options: {
    n: { type: 'string', default: '600' },
    size: { type: 'string', default: '64' },
    steps: { type: 'string', default: '800' },
    covid: { type: 'string', default: '../shared/data/covid-cxr64' },
    skip: { type: 'string', default: '' },
  },
});
setNumThreads(2);
const size = Number(a.size);
const skip = new Set(a.skip!.split(','));
const t0 = performance.now();
const data = cxrSet(Number(a.n), 11, size);
const out: Record<string, unknown> = { bench: 'reward-cxr', size, images: data.length };
if (!skip.has('posture')) {
  const p = trainPostureRegressor(
    data.map((d) => d.image),
    { imageSize: size, steps: Number(a.steps), seed: 1 },
  );
  out.posture = p.metrics;
  p.net.dispose();
  console.error('posture', JSON.stringify(p.metrics));
}
if (!skip.has('findings')) {
  const f = trainFindingsClassifier(
    data.map((d) => ({ image: d.image, findings: d.findings })),
    { imageSize: size, epochs: 15, seed: 2 },
  );
  out.findings = f.metrics;
  f.net.dispose();
  console.error('findings', JSON.stringify(f.metrics));
}
if (!skip.has('phantom-retrieval')) {
  const d = trainDualEncoder(
    data.map((x) => ({ image: x.image, report: x.report })),
    { imageSize: size, epochs: 20, seed: 3 },
  );
  out.dualEncoderPhantom = d.metrics;
  d.net.dispose();
  console.error('dual phantom', JSON.stringify(d.metrics));
}
if (!skip.has('covid') && existsSync(a.covid!)) {
  const m = loadManifest(a.covid!);
  const entries = m.entries.filter((e) => (e.report ?? '').trim().length > 0);
  const loaded = await loadImages(m, entries, { size, channels: 1, onError: 'skip' });
  const pairs = loaded.images.map((image, i) => ({ image, report: loaded.entries[i]!.report! }));
  // Real X-rays with their free-text clinical notes (not structured reports): a much harder retrieval task.
  const d = trainDualEncoder(pairs, { imageSize: size, epochs: 25, seed: 4 });
  out.dualEncoderCovidNotes = { ...d.metrics, pairs: pairs.length };
  d.net.dispose();
  console.error('dual covid', JSON.stringify(d.metrics));
}
out.seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify(out));
