// `medloop reward train`: fit the plausibility reward model to a study's ratings (gold
// items excluded), optionally mixing in real images with their true and a wrong
// condition, and write it as the next version under <workspace>/rewards/plausibility.
import type { Command } from '../command.js';
import { UsageError, numberOption, stringOption } from '../command.js';
import { MembersProgress } from '../progress.js';
import { type Raster } from '../../data/raster.js';
import { FeedbackStore, decodePng } from '../../feedback/index.js';
import { loadRealImages } from '../../reward/real-images.js';
import { GLOBAL_POOLS, isGlobalPool } from '../../models/reward-net-backbone.js';
import { colourCriterion, colourNegatives } from '../../reward/plausibility/colour-negatives.js';
import { type LabelMode, ratingsFromAnswers } from '../../reward/plausibility/dataset.js';
import { savePlausibilityModel } from '../../reward/plausibility/model-file.js';
import { type PlausibilityMetrics, trainPlausibilityMembers } from '../../reward/plausibility/train.js';
import { rewardModelRoot } from '../../reward/model-store.js';
import { openWorkspace } from '../../workspace/workspace.js';

export const rewardTrainCommand: Command = {
  path: ['reward', 'train'],
  summary: "Train the plausibility reward model from a study's ratings (+ real images)",
  options: {
    workspace: { type: 'string', description: 'workspace folder', default: '.' },
    study: { type: 'string', description: 'study name or id whose ratings to learn from' },
    real: { type: 'string', description: 'real images with labels (folder, CSV or shared data set) for true/wrong-condition pairs' },
    'max-real': { type: 'string', description: 'use at most this many real images (seeded sample)', default: '2000' },
    epochs: { type: 'string', description: 'passes over the data (default: reward.epochs in medloop.yaml)' },
    'real-mix': { type: 'string', description: 'share of real pairs in each batch (default: reward.realMix)' },
    labels: { type: 'string', description: 'soft (share of raters) or majority', default: 'soft' },
    size: { type: 'string', description: 'input side in pixels (default: the rated images’ size, at most 64)' },
    augment: { type: 'string', description: 'none, hflip or dihedral (cells: dihedral; X-rays: none)', default: 'none' },
    steps: { type: 'string', description: 'exact number of optimiser steps (overrides the epoch-based count)' },
    members: { type: 'string', description: 'reward models on bootstrap resamples; > 1 makes an ensemble (default: reward.members)' },
    pessimism: { type: 'string', description: 'ensemble reward = mean − pessimism × sd across members (default: reward.pessimism)' },
    'colour-negatives': { type: 'string', description: 'colour-shifted --real RGB images trained on as implausible (default: reward.colourNegatives)' },
    pooling: { type: 'string', description: `the net's global pooling: ${GLOBAL_POOLS.join(' or ')} (default: reward.pooling)` },
    seed: { type: 'string', description: 'random seed', default: '0' },
    json: { type: 'boolean', description: 'print the model info as JSON' },
  },
  async run(opts) {
    const ws = openWorkspace(stringOption(opts, 'workspace', true));
    const store = FeedbackStore.openWorkspace(ws.dir);
    const runId = `reward-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;
    try {
      const studyKey = stringOption(opts, 'study', true);
      const study = store.findStudy(/^\d+$/.test(studyKey) ? Number(studyKey) : studyKey) ?? store.findStudy(studyKey);
      if (!study) throw new UsageError(`no study '${studyKey}' in ${ws.dir} (studies: ${store.listStudies().map((s) => s.name).join(', ') || 'none'})`);
      const labels = stringOption(opts, 'labels') ?? 'soft';
      if (labels !== 'soft' && labels !== 'majority') throw new UsageError(`--labels must be soft or majority, got '${labels}'`);
      const augment = stringOption(opts, 'augment') ?? 'none';
      if (!['none', 'hflip', 'dihedral'].includes(augment)) throw new UsageError(`--augment must be none, hflip or dihedral, got '${augment}'`);
      const answers = store.listAnswers(study.id, { includeGold: true });
      const cache = new Map<number, Raster>();
      const imageOf = (rec: { id: number }) => cache.get(rec.id) ?? cache.set(rec.id, decodePng(store.imageBytes(rec.id))).get(rec.id)!;
      const { rated, pairs, summary } = ratingsFromAnswers(answers, imageOf, { labels: labels as LabelMode });
      const first = rated[0]?.image ?? pairs[0]?.a;
      const size = numberOption(opts, 'size', Math.min(64, first?.width ?? 64));
      const channels = (first?.channels ?? 3) as 1 | 3;
      const realPath = stringOption(opts, 'real');
      const real = realPath ? await loadRealImages(realPath, { size, channels, max: numberOption(opts, 'max-real', 2000), seed: numberOption(opts, 'seed', 0) }) : [];
      if (rated.length + pairs.length === 0 && real.length === 0) throw new UsageError(`study '${study.name}' has no (non-gold) answers yet and no --real images were given`);
      const criteria = [...new Set([...study.checklists.default.map((c) => c.id), ...Object.values(study.checklists.byCondition).flatMap((l) => l.map((c) => c.id))])].sort();
      const epochs = numberOption(opts, 'epochs', ws.config.reward.epochs);
      const realMix = numberOption(opts, 'real-mix', ws.config.reward.realMix);
      const members = numberOption(opts, 'members', ws.config.reward.members);
      if (!Number.isInteger(members) || members < 1 || members > 20) throw new UsageError(`--members must be an integer in 1..20, got ${members}`);
      const pessimism = numberOption(opts, 'pessimism', ws.config.reward.pessimism);
      if (!(pessimism >= 0)) throw new UsageError(`--pessimism must be ≥ 0, got ${pessimism}`);
      const colourCount = numberOption(opts, 'colour-negatives', ws.config.reward.colourNegatives);
      if (!Number.isInteger(colourCount) || colourCount < 0) throw new UsageError(`--colour-negatives must be a whole number ≥ 0, got ${colourCount}`);
      const pooling = stringOption(opts, 'pooling') ?? ws.config.reward.pooling;
      if (!isGlobalPool(pooling)) throw new UsageError(`--pooling must be one of ${GLOBAL_POOLS.join(', ')}, got '${pooling}'`);
      const shifted = colourNegatives(real, colourCount, { seed: numberOption(opts, 'seed', 0), criterion: colourCriterion(criteria) });
      const root = rewardModelRoot(ws.dir, 'plausibility');
      ws.runs.register({ id: runId, kind: 'reward', config: { study: study.name, real: realPath ?? null, epochs, realMix, labels, size, augment, members, pessimism, colourNegatives: shifted.length, pooling }, data: realPath ?? null, dir: root });
      const progress = new MembersProgress({ label: 'reward model', silent: process.env.MEDLOOP_TEST === '1' }, members);
      const options = {
        criteria,
        imageSize: size,
        channels,
        epochs,
        net: { pooling },
        ...(stringOption(opts, 'steps') ? { minSteps: numberOption(opts, 'steps', 150), maxSteps: numberOption(opts, 'steps', 150) } : {}),
        realMix,
        augment: augment as 'none' | 'hflip' | 'dihedral',
        seed: numberOption(opts, 'seed', 0),
        onProgress: progress.report,
      };
      const trained = trainPlausibilityMembers({ rated: [...rated, ...shifted], pairs, real }, members, options);
      const { dir, info } = savePlausibilityModel(root, trained, { study: study.name, studyId: study.id, real: realPath ?? null, ratings: summary, colourNegatives: shifted.length, run: runId }, { pessimism });
      progress.finish();
      for (const t of trained) t.net.dispose();
      ws.runs.finish(runId, 'finished', { model: dir, version: info.version, metrics: info.metrics });
      if (opts.json) console.log(JSON.stringify({ dir, ...info }));
      else {
        const m = info.metrics as Partial<PlausibilityMetrics>;
        const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(3));
        console.log(`reward model v${info.version}: ${dir}${members > 1 ? ` (ensemble of ${members}, reward = mean − ${pessimism} × sd; held-out scores are the members' out-of-bag means)` : ''}`);
        console.log(`  data      ${rated.length} rated images, ${pairs.length} pairs, ${real.length} real images${shifted.length ? ` (+${shifted.length} colour-shifted as implausible)` : ''} (${summary.answers} answers, ${summary.goldAnswersExcluded} gold answers excluded)`);
        if (m.rated) console.log(`  held-out ratings   AUROC ${f(m.rated.auroc)}  accuracy ${f(m.rated.accuracy)}  ECE ${f(m.rated.ece)}  (n=${m.rated.count})`);
        if (m.wrongClass) console.log(`  held-out real (true vs wrong class)  AUROC ${f(m.wrongClass.auroc)}  accuracy ${f(m.wrongClass.accuracy)}  ECE ${f(m.wrongClass.ece)}`);
        if (m.pairs) console.log(`  held-out pairs     accuracy ${f(m.pairs.accuracy)} (n=${m.pairs.count})`);
      }
      return 0;
    } catch (e) {
      if (ws.runs.find(runId)) ws.runs.finish(runId, 'failed', { error: (e as Error).message });
      throw e;
    } finally {
      store.close();
      ws.close();
    }
  },
};
