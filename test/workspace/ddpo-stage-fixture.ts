// A workspace for the demo's DDPO stage on ratings: a tiny perturbed generator as the
// registered baseline, the tiny classes' data, and a config the test may extend (align.*).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportGenerator } from '../../src/align/export.js';
import { GeneratorPolicy } from '../../src/align/generator-policy.js';
import type { Raster } from '../../src/data/raster.js';
import { createGenerator } from '../../src/diffusion/generator.js';
import { seedInit } from '../../src/engine/index.js';
import { parseConfig } from '../../src/workspace/config.js';
import type { DemoContext, DemoData } from '../../src/workspace/demo/context.js';
import { type Workspace, initWorkspace } from '../../src/workspace/workspace.js';
import { TINY_CLASSES, perturb, tinyGeneratorConfig } from '../models/tiny.js';

export interface DdpoStageFixture {
  dir: string;
  ws: Workspace;
  ctx: DemoContext;
  data: DemoData;
  baseline: { runId: string; runDir: string };
  close(): void;
}

/** Plausible when brighter than the middle grey: about half the untrained generator's samples. */
export const bright = (image: Raster) => image.data.reduce((s, v) => s + v, 0) / image.data.length > 0.5;

export function ddpoStageFixture(name: string, align: Record<string, unknown> = {}): DdpoStageFixture {
  const dir = mkdtempSync(join(tmpdir(), `medloop-${name}-`));
  const ws = initWorkspace(dir);
  seedInit(3);
  const gen = createGenerator(tinyGeneratorConfig());
  perturb(gen);
  const baselineDir = exportGenerator(join(dir, 'baseline'), new GeneratorPolicy(gen), 0);
  const config = parseConfig({
    seed: 5,
    sampling: { steps: 4, eta: 1, cfg: 2 },
    study: { raters: 2, ratersPerItem: 1, goldRate: 0.1, errorRate: 0 },
    align: { iterations: 4, batch: 6, lr: 1e-4, timestepFraction: 0.5, skipSteps: { first: 1, last: 0 }, conditionDraw: 'balanced', ddpoFeedback: 'ratings', ratingsPerSample: 1, ...align },
  });
  const ctx: DemoContext = { ws, config, quick: true, demoSize: 'quick', interactive: false, log: () => {}, silent: true };
  const gold: Raster = { width: 8, height: 8, channels: 3, data: new Float32Array(192).fill(0.9) };
  const data: DemoData = { path: dir, classes: TINY_CLASSES, images: TINY_CLASSES.map(() => gold), conditions: [...TINY_CLASSES], channels: 3, size: 8, judgeName: `test-${name}` };
  const baseline = { runId: 'gen-baseline', runDir: baselineDir };
  ws.runs.register({ id: baseline.runId, kind: 'pretrain', config: {}, data: dir, dir: baselineDir });
  return {
    dir,
    ws,
    ctx,
    data,
    baseline,
    close: () => {
      ws.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
