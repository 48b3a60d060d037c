// DDPO's reward straight from ratings: every batch the policy samples becomes a blinded
// binary study (real images mixed in as gold), rated through the real server by the
// demo's simulated raters or, with --interactive, by people; an image's reward is the
// share of its raters who said plausible. No reward model stands between the raters and
// the policy gradient, so there is nothing to hack but the raters themselves: on the long
// demo's seed-1 baseline this reached 93% oracle plausibility in 32 iterations where the
// learned reward peaked at 66% (README section 4).
// A study is named by its batch's content, so a restarted run that samples the same batch
// again reads the answers already given: no rating is asked twice or counted twice.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { RewardTerm } from '../../align/reward-mix.js';
import { encodePng } from '../../data/png.js';
import type { Raster } from '../../data/raster.js';
import { FeedbackStore } from '../../feedback/index.js';
import { toRasters } from '../../reward/images.js';
import type { DemoContext, DemoData, TruthJudge } from './context.js';
import { rateStudy } from './rated-study.js';
import { writeSampleFolder } from './sample-stage.js';

export interface RatingsCounter {
  /** Studies rated (one per batch). */
  studies: number;
  /** Answers on the policy's samples (gold items not counted). */
  ratings: number;
}

export interface RatingsRewardOptions {
  /** Where each batch's samples are written (`<dir>/<hash>/`): the run's own folder. */
  dir: string;
  /** Names the studies (with each batch's hash), e.g. the run id. */
  runId: string;
  ratersPerSample: number;
}

const studyPrefix = (runId: string) => `${runId}: batch `;

/** The batches of a run rated so far and the answers on them (gold items not counted), from the workspace's store. */
export function ratedBatches(workspaceDir: string, runId: string): RatingsCounter {
  const store = FeedbackStore.openWorkspace(workspaceDir);
  try {
    const studies = store.listStudies().filter((s) => s.name.startsWith(studyPrefix(runId)));
    return { studies: studies.length, ratings: studies.reduce((n, s) => n + store.listAnswers(s.id, { includeGold: false }).length, 0) };
  } finally {
    store.close();
  }
}

/** The content hash that names a batch's study: the same images for the same conditions give the same study. */
export function batchKey(images: ReadonlyArray<Raster>, conditions: ReadonlyArray<string>): string {
  const h = createHash('sha256');
  images.forEach((im, i) => {
    h.update(conditions[i]!);
    h.update(encodePng(im));
  });
  return h.digest('hex').slice(0, 12);
}

/** A reward term `ratings` for DDPO, and a count of what it asked the raters for. */
export function ratingsRewardTerm(ctx: DemoContext, data: DemoData, judge: TruthJudge, opts: RatingsRewardOptions): { term: RewardTerm; counter: RatingsCounter } {
  const counter: RatingsCounter = { studies: 0, ratings: 0 };
  // every batch's study would draw its own progress bar: DDPO's bar says how many ratings so far
  const quiet: DemoContext = { ...ctx, silent: true, log: () => {} };
  const fn: RewardTerm['fn'] = async (images, conditions) => {
    const rasters = toRasters(images);
    const key = batchKey(rasters, conditions);
    const samplesDir = join(opts.dir, key);
    const { read } = await rateStudy(
      quiet,
      data,
      judge,
      {
        name: `${studyPrefix(opts.runId)}${key}`,
        samplesDir,
        expectedItems: rasters.length,
        sizeKey: 'align.batch',
        seed: Number.parseInt(key.slice(0, 8), 16),
        label: `ddpo ratings ${key}`,
        mode: 'binary',
        ratersPerItem: opts.ratersPerSample,
        writeSamples: () => writeSampleFolder(samplesDir, { images: rasters, conditions: [...conditions] }, { model: 'policy', run: opts.runId, batch: key }, rasters.length),
      },
      (answers) => {
        const yes = new Float64Array(rasters.length);
        const n = new Float64Array(rasters.length);
        for (const a of answers) {
          const index = a.images[0]?.provenance.index;
          if (typeof index !== 'number' || a.mode !== 'binary') continue;
          n[index]! += 1;
          if (a.choice === 'plausible') yes[index]! += 1;
        }
        return { yes, n, answers: answers.length };
      },
    );
    counter.studies++;
    counter.ratings += read.answers;
    return Array.from(read.n, (count, i) => {
      if (count === 0) throw new Error(`ratings reward: sample ${i} of batch ${key} has no answer (study '${opts.runId}: batch ${key}')`);
      return read.yes[i]! / count;
    });
  };
  return { term: { name: 'ratings', weight: 1, comparative: false, fn }, counter };
}
