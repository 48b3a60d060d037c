// Feedback server throughput: N simulated raters answering one binary study in parallel
// over real HTTP (in-process server on port 0; each answer = next item + image fetch and
// PNG decode + judge + POST with an idempotency key). Prints a final JSON line.
// Usage: node --import tsx bench/feedback.ts [--raters 50] [--images 400] [--k 3] [--duplicates 0.1]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng } from '../src/data/png.js';
import { createRaster } from '../src/data/raster.js';
import { createStudyFromSamples, FeedbackStore, simulateStudy } from '../src/feedback/index.js';

const { values } = parseArgs({
  options: {
    raters: { type: 'string', default: '50' },
    images: { type: 'string', default: '400' },
    k: { type: 'string', default: '3' },
    duplicates: { type: 'string', default: '0.1' },
  },
});
const raters = Number(values.raters);
const images = Number(values.images);
const k = Number(values.k);

const dir = mkdtempSync(join(tmpdir(), 'medloop-bench-feedback-'));
try {
  const samples = join(dir, 'samples');
  mkdirSync(samples);
  const conditions = ['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil'];
  for (let i = 0; i < images; i++) {
    const r = createRaster(64, 64, 3);
    const mean = i % 3 === 2 ? 0.1 : 0.5;
    for (let j = 0; j < r.data.length; j++) r.data[j] = mean + 0.05 * Math.sin(j * 0.37 + i);
    writeFileSync(join(samples, `s${i}.png`), encodePng(r));
    writeFileSync(join(samples, `s${i}.json`), JSON.stringify({ condition: conditions[i % conditions.length], model: 'bench', seed: i }));
  }
  const store = FeedbackStore.openWorkspace(dir);
  createStudyFromSamples(store, { name: 'bench', mode: 'binary', dir: samples, ratersPerItem: k });
  const result = await simulateStudy({ store, study: 'bench', raters, errorRate: 0.1, duplicateRate: Number(values.duplicates) });
  const stored = store.listAnswers(1).length;
  store.close();
  if (stored !== result.answers) throw new Error(`stored ${stored} answers, sent ${result.answers}`);
  console.log(
    JSON.stringify({
      bench: 'feedback',
      raters,
      images,
      k,
      answers: result.answers,
      duplicatesSent: result.duplicatesSent,
      seconds: Number(result.seconds.toFixed(3)),
      answersPerSecond: Number(result.answersPerSecond.toFixed(1)),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
