// Demo stage: the first rating round, a blinded binary study of the baseline's samples
// (with real images mixed in as hidden gold items), rated through the real HTTP server;
// the reward models learn from its answers.
import { join } from 'node:path';
import { loadGenerator } from '../../diffusion/generator.js';
import type { DemoContext, DemoData, TruthJudge } from './context.js';
import { type RatedStudy, rateStudy } from './rated-study.js';
import { sampleSet, writeSampleFolder } from './sample-stage.js';

export type StudyStageResult = RatedStudy;

export async function runStudyStage(ctx: DemoContext, data: DemoData, generatorRun: { runId: string; runDir: string }, judge: TruthJudge): Promise<StudyStageResult> {
  const s = ctx.config.study;
  const samplesDir = join(generatorRun.runDir, 'samples', 'study-1');
  const seed = ctx.config.seed + 101;
  const { study } = await rateStudy(ctx, data, judge, {
    name: `${ctx.config.name}: round 1 (${generatorRun.runId})`,
    samplesDir,
    expectedItems: s.samplesPerCondition * data.classes.length,
    sizeKey: 'study.samplesPerCondition',
    seed: ctx.config.seed,
    label: 'study',
    writeSamples: () => {
      const gen = loadGenerator(generatorRun.runDir);
      const set = sampleSet(gen, { classes: data.classes, perCondition: s.samplesPerCondition, steps: ctx.config.sampling.steps, eta: ctx.config.sampling.eta, cfg: ctx.config.sampling.cfg, seed });
      writeSampleFolder(samplesDir, set, { model: 'generator', run: generatorRun.runId, checkpointStep: gen.source.checkpointStep ?? 0, seed, sampler: { kind: 'ddim', ...ctx.config.sampling } }, s.samplesPerCondition);
      gen.dispose();
    },
  });
  return study;
}
