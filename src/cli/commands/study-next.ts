// `medloop study next`: pick the candidates whose ratings would teach the reward model
// most (ensemble disagreement, predictive entropy or BADGE, spread over conditions) and write
// them as a study-ready folder: <out>/<k>.png with a <k>.json sidecar ({condition, …}),
// the layout `readSampleFolder` (study creation) reads.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError, numberOption, stringOption } from '../command.js';
import { loadImage } from '../../data/loader.js';
import { FeedbackStore, decodePng, readSampleFolder } from '../../feedback/index.js';
import type { Raster } from '../../data/raster.js';
import { ACQUISITIONS, type Acquisition, chooseForRating } from '../../reward/active.js';
import { rewardModelRoot } from '../../reward/model-store.js';
import { ratingsFromAnswers } from '../../reward/plausibility/dataset.js';
import { loadPlausibilityModel } from '../../reward/plausibility/model-file.js';
import { trainPlausibilityEnsemble } from '../../reward/plausibility/train.js';
import { loadRealImages } from '../../reward/real-images.js';
import type { PlausibilityRewardNet } from '../../models/reward-net.js';
import { openWorkspace } from '../../workspace/workspace.js';

export const studyNextCommand: Command = {
  path: ['study', 'next'],
  summary: 'Choose the samples experts should rate next (active learning) into a study-ready folder',
  options: {
    workspace: { type: 'string', description: 'workspace folder', default: '.' },
    candidates: { type: 'string', description: 'folder of candidate samples (PNG + JSON sidecar with condition)' },
    n: { type: 'string', description: 'how many to choose', default: '100' },
    out: { type: 'string', description: 'output folder (default <workspace>/studies/next-<time>)' },
    model: { type: 'string', description: 'reward model folder(s) (default: newest under <workspace>/rewards/plausibility)', multiple: true },
    study: { type: 'string', description: 'instead of saved models: train an ensemble on this study’s ratings' },
    real: { type: 'string', description: 'with --study: real labelled images to mix in' },
    members: { type: 'string', description: 'with --study: ensemble members (bootstrap)', default: '3' },
    acquisition: { type: 'string', description: `${ACQUISITIONS.join(', ')} (default: disagreement for an ensemble, else entropy)` },
    power: { type: 'string', description: 'draw the batch with probability ∝ score^power instead of the top scores (1 measured best on the phantom testbed: 25–32% fewer ratings than random to AUROC 0.93–0.958, five seeds)' },
    'no-balance': { type: 'boolean', description: 'do not spread the choice over conditions' },
    seed: { type: 'string', description: 'random seed', default: '0' },
  },
  async run(opts) {
    const ws = openWorkspace(stringOption(opts, 'workspace', true));
    try {
      const n = numberOption(opts, 'n', 100);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--n must be a positive whole number, got ${n}`);
      const seed = numberOption(opts, 'seed', 0);
      const candidatesDir = stringOption(opts, 'candidates', true);
      const sources = readSampleFolder(candidatesDir);
      const acquisition = stringOption(opts, 'acquisition') as Acquisition | undefined;
      if (acquisition && !(ACQUISITIONS as readonly string[]).includes(acquisition)) throw new UsageError(`--acquisition must be ${ACQUISITIONS.join(', ')}, got '${acquisition}'`);
      const powerOpt = stringOption(opts, 'power');
      const power = powerOpt === undefined ? undefined : numberOption(opts, 'power', 1);
      if (power !== undefined && !(power > 0)) throw new UsageError(`--power must be a positive number, got '${powerOpt}'`);
      if (power !== undefined && acquisition === 'badge') throw new UsageError('--power does not apply to --acquisition badge (its k-means++ draw already spreads the batch)');
      let nets: PlausibilityRewardNet[];
      let modelNote: Record<string, unknown>;
      const studyKey = stringOption(opts, 'study');
      if (studyKey) {
        const store = FeedbackStore.openWorkspace(ws.dir);
        try {
          const study = store.findStudy(/^\d+$/.test(studyKey) ? Number(studyKey) : studyKey) ?? store.findStudy(studyKey);
          if (!study) throw new UsageError(`no study '${studyKey}' in ${ws.dir}`);
          const cache = new Map<number, Raster>();
          const { rated, pairs } = ratingsFromAnswers(store.listAnswers(study.id), (rec) => cache.get(rec.id) ?? cache.set(rec.id, decodePng(store.imageBytes(rec.id))).get(rec.id)!);
          const first = rated[0]?.image ?? pairs[0]?.a;
          const size = Math.min(64, first?.width ?? 64);
          const channels = (first?.channels ?? 3) as 1 | 3;
          const realPath = stringOption(opts, 'real');
          const real = realPath ? await loadRealImages(realPath, { size, channels, max: 2000, seed }) : [];
          const conditions = [...new Set([...rated.map((r) => r.condition), ...pairs.map((p) => p.condition), ...real.map((r) => r.condition), ...sources.map((s) => s.condition)])].sort();
          const members = numberOption(opts, 'members', 3);
          nets = trainPlausibilityEnsemble({ rated, pairs, real }, members, { conditions, imageSize: size, channels, seed }).map((m) => m.net);
          modelNote = { study: study.name, members };
        } finally {
          store.close();
        }
      } else {
        const dirs = (opts.model as string[] | undefined) ?? [rewardModelRoot(ws.dir, 'plausibility')];
        const loaded = dirs.map((d) => loadPlausibilityModel(d));
        nets = loaded.map((l) => l.net);
        modelNote = { models: loaded.map((l) => ({ dir: l.dir, version: l.info.version })) };
      }
      const candidates = sources.map((s, i) => {
        const c = nets[0]!.config;
        return { id: String(i), image: loadImage(s.file, { size: c.imageSize, channels: c.inChannels }), condition: s.condition };
      });
      const chosen = chooseForRating(candidates, nets, n, { ...(acquisition ? { acquisition } : {}), ...(power !== undefined ? { power } : {}), balanceConditions: !opts['no-balance'], seed });
      for (const net of nets) net.dispose();
      const out = resolve(stringOption(opts, 'out') ?? join(ws.dir, 'studies', `next-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}`));
      mkdirSync(out, { recursive: true });
      chosen.forEach((c) => {
        const src = sources[Number(c.id)]!;
        const name = String(c.rank + 1).padStart(4, '0');
        copyFileSync(src.file, join(out, `${name}.png`));
        const { file: _f, source: _s, ...provenance } = src.provenance as Record<string, unknown>;
        writeFileSync(
          join(out, `${name}.json`),
          JSON.stringify({ ...provenance, condition: src.condition, source: src.source, candidate: src.file, activeChoice: { acquisition: acquisition ?? (nets.length > 1 ? 'disagreement' : 'entropy'), ...(power !== undefined ? { power } : {}), score: c.score, meanPlausible: c.mean, std: c.std, rank: c.rank, ...modelNote } }, null, 1),
        );
      });
      const byCondition: Record<string, number> = {};
      for (const c of chosen) byCondition[c.condition] = (byCondition[c.condition] ?? 0) + 1;
      console.log(`chose ${chosen.length} of ${candidates.length} candidates → ${out}`);
      console.log(`  by condition: ${Object.entries(byCondition).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      return 0;
    } finally {
      ws.close();
    }
  },
};
