// `npm run bench:train`: training and sampling throughput of the default 32×32 RGB
// class-conditional generator (defaultUNetConfig, batch 32, AdamW step with EMA, and
// 50-step DDIM with classifier-free guidance, batch 16). Prints one JSON line.
// BENCH_THREADS (default: libtorch's), BENCH_STEPS (default 6) tune it.
import { createGenerator } from '../src/diffusion/generator.js';
import { EMA } from '../src/diffusion/ema.js';
import { diffusionLoss } from '../src/diffusion/loss.js';
import { sampleImages } from '../src/diffusion/pipeline.js';
import { Generator, adamw, clipGradNorm, engineInfo, randn, seedInit, setNumThreads, tidy } from '../src/engine/index.js';
import { defaultUNetConfig } from '../src/models/unet.js';

if (process.env.BENCH_THREADS) setNumThreads(Number(process.env.BENCH_THREADS));
const STEPS = Number(process.env.BENCH_STEPS ?? 6);
const BATCH = 32;
const SAMPLE_BATCH = 16;
const classes = ['basophil', 'eosinophil', 'erythroblast', 'ig', 'lymphocyte', 'monocyte', 'neutrophil', 'platelet'];

seedInit(0);
const gen = createGenerator({
  unet: defaultUNetConfig(32, 3, 128),
  condition: { kind: 'class', classes, dim: 128, tokensPerClass: 1 },
  schedule: { kind: 'linear', numTimesteps: 1000 },
  image: { size: 32, channels: 3 },
});
const params = gen.parameters();
const opt = adamw(params, { lr: 1e-4 });
const ema = new EMA(gen, 0.999);
const noise = new Generator(0);
const x = randn([BATCH, 3, 32, 32], { generator: noise }).tanh();
const conds = Array.from({ length: BATCH }, (_, i) => classes[i % classes.length]!);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const stepMs: number[] = [];
gen.train();
for (let i = 0; i < STEPS + 2; i++) {
  const t0 = performance.now();
  tidy(() => {
    opt.zeroGrad();
    const { loss } = diffusionLoss(gen, gen.schedule, x, gen.encode(conds), { generator: noise });
    loss.backward();
    clipGradNorm(params, 1);
    opt.step();
  });
  ema.update(gen);
  if (i >= 2) stepMs.push(performance.now() - t0);
}
const t0 = performance.now();
sampleImages(gen, { conditions: conds.slice(0, SAMPLE_BATCH), steps: 50, eta: 1, cfg: 3, seed: 1, batchSize: SAMPLE_BATCH });
const sampleSeconds = (performance.now() - t0) / 1000;
const info = engineInfo();
console.log(
  JSON.stringify({
    bench: 'train',
    model: 'defaultUNetConfig(32, 3) class-conditional',
    parameters: gen.parameterCount(),
    threads: info.threads,
    trainBatch: BATCH,
    trainStepMs: Number(median(stepMs).toFixed(1)),
    trainImagesPerSec: Number(((BATCH * 1000) / median(stepMs)).toFixed(2)),
    sampleBatch: SAMPLE_BATCH,
    sampleSteps: 50,
    sampleCfg: 3,
    sampleImagesPerSec: Number((SAMPLE_BATCH / sampleSeconds).toFixed(3)),
    loadAverage: (await import('node:os')).loadavg()[0],
  }),
);
ema.dispose();
gen.dispose();
