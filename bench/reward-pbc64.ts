// The wrong-class task on real blood cells (../shared/data/pbc64): the plausibility
// reward model trained on real images only (true class → plausible, a random wrong
// class → implausible), scored on held-out real images, each with its true and one
// wrong class. Prints a final JSON line.
//   node --import tsx bench/reward-pbc64.ts [--per-class 150] [--size 32] [--steps 600] [--pooling max|mean]
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadImages } from '../src/data/loader.js';
import { loadManifest } from '../src/data/manifest.js';
import { deriveSeed, seededRandom, shuffled } from '../src/data/random.js';
import { setNumThreads } from '../src/engine/index.js';
import { toGlobalPool } from '../src/models/reward-net-backbone.js';
import { DEFAULT_REWARD_NET_CONFIG } from '../src/models/reward-net.js';
import { trainPlausibilityModel } from '../src/reward/plausibility/train.js';

const { values: a } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/pbc64' },
    'per-class': { type: 'string', default: '150' },
    size: { type: 'string', default: '32' },
    steps: { type: 'string', default: '600' },
    widths: { type: 'string', default: '16,32,64' },
    pooling: { type: 'string', default: DEFAULT_REWARD_NET_CONFIG.pooling },
  },
});
if (!existsSync(a.data!)) {
  console.log(JSON.stringify({ bench: 'reward-pbc64', skipped: `${a.data} not found` }));
  process.exit(0);
}
const pooling = toGlobalPool(a.pooling, '--pooling', 'pooling');
setNumThreads(2);
const t0 = performance.now();
const manifest = loadManifest(a.data!);
const perClass = Number(a['per-class']);
const r = seededRandom(deriveSeed(7, 'pbc64'));
const entries = manifest.labels.flatMap((l) => shuffled(manifest.entries.filter((e) => e.label === l), r).slice(0, perClass));
const size = Number(a.size);
const loaded = await loadImages(manifest, entries, { size, channels: 3 });
const real = loaded.images.map((image, i) => ({ image, condition: loaded.entries[i]!.label! }));
const steps = Number(a.steps);
const m = trainPlausibilityModel({ rated: [], pairs: [], real }, { imageSize: size, net: { widths: a.widths!.split(',').map(Number), pooling }, minSteps: steps, maxSteps: steps, augment: 'dihedral', valFraction: 0.2, seed: 7 });
console.log(
  JSON.stringify({
    bench: 'reward-pbc64',
    classes: manifest.labels,
    images: real.length,
    heldOutImages: m.data.heldOut.real,
    size,
    steps,
    pooling,
    wrongClass: m.metrics.wrongClass,
    seconds: (performance.now() - t0) / 1000,
  }),
);
