// Demo stage: a blinded binary study of the baseline's samples (with real images
// mixed in as hidden gold items), rated through the real HTTP server by simulated
// raters built on the truth judge, or, with --interactive, by a person.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Progress } from '../../cli/progress.js';
import { encodePng } from '../../data/png.js';
import { loadGenerator } from '../../diffusion/generator.js';
import { FeedbackStore, adminLink, buildServer, createStudyFromSamples, raterLink, registerJudge, simulateStudy, studyReport } from '../../feedback/index.js';
import type { DemoContext, DemoData, TruthJudge } from './context.js';
import { sampleSet, writeSampleFolder } from './sample-stage.js';

export interface StudyStageResult {
  studyId: number;
  samplesDir: string;
  items: number;
  goldItems: number;
  answers: number;
  /** Share of non-gold answers that said plausible. */
  plausibleRate: number | null;
  agreement: { fleissKappa: number | null; krippendorffAlpha: number | null };
  goldAccuracy: Record<string, number | null>;
}

export async function runStudyStage(ctx: DemoContext, data: DemoData, generatorRun: { runId: string; runDir: string }, judge: TruthJudge): Promise<StudyStageResult> {
  const s = ctx.config.study;
  const name = `${ctx.config.name}: round 1 (${generatorRun.runId})`;
  const raterNames = Array.from({ length: s.raters }, (_, i) => (ctx.interactive ? `expert-${i + 1}` : `sim-${i + 1}`));
  const store = FeedbackStore.openWorkspace(ctx.ws.dir);
  try {
    // A run killed while the study was being rated left it in the store, images and answers
    // included: rate on from where it stopped rather than sample a second study.
    const existing = store.findStudy(name);
    const samplesDir = join(generatorRun.runDir, 'samples', 'study-1');
    const opened = existing ? resumeStudy(ctx, store, existing.id, s.samplesPerCondition * data.classes.length) : openStudy(ctx, store, data, generatorRun, { name, samplesDir, raterNames });
    const { studyId } = opened;
    if (ctx.interactive) {
      await rateInteractively(ctx, store, studyId, opened.raters);
    } else {
      registerJudge(data.judgeName, judge, 'the demo’s truth judge');
      const progress = new Progress({ label: 'study', total: opened.assignments, silent: ctx.silent });
      await simulateStudy({
        store,
        study: studyId,
        raters: s.raters,
        namePrefix: 'sim',
        errorRate: s.errorRate,
        bias: s.bias,
        judge: data.judgeName,
        seed: ctx.config.seed,
        onProgress: (d) => progress.set(d),
      });
      progress.finish();
    }
    const report = studyReport(store, studyId);
    return {
      studyId,
      samplesDir,
      items: opened.items,
      goldItems: opened.goldItems,
      answers: report.answers,
      plausibleRate: report.plausibleRate,
      agreement: { fleissKappa: finite(report.agreement.fleiss.kappa), krippendorffAlpha: finite(report.agreement.krippendorff.alpha) },
      goldAccuracy: Object.fromEntries(report.raters.map((r) => [r.name, r.gold.accuracy])),
    };
  } finally {
    store.close();
  }
}

interface OpenedStudy {
  studyId: number;
  items: number;
  goldItems: number;
  /** Assignments still to answer. */
  assignments: number;
  raters: { name: string; token: string }[];
}

/** Samples the baseline, adds real images as hidden gold items, and creates the study. */
function openStudy(ctx: DemoContext, store: FeedbackStore, data: DemoData, generatorRun: { runId: string; runDir: string }, study: { name: string; samplesDir: string; raterNames: string[] }): OpenedStudy {
  const { name, samplesDir, raterNames } = study;
  const s = ctx.config.study;
  const gen = loadGenerator(generatorRun.runDir);
  const set = sampleSet(gen, { classes: data.classes, perCondition: s.samplesPerCondition, steps: ctx.config.sampling.steps, eta: ctx.config.sampling.eta, cfg: ctx.config.sampling.cfg, seed: ctx.config.seed + 101 });
  writeSampleFolder(samplesDir, set, { model: 'generator', run: generatorRun.runId, checkpointStep: gen.source.checkpointStep ?? 0, seed: ctx.config.seed + 101, sampler: { kind: 'ddim', ...ctx.config.sampling } }, s.samplesPerCondition);
  gen.dispose();
  // Real images with their true class are the hidden gold items (answer: plausible).
  const goldCount = Math.max(data.classes.length, Math.round(set.images.length * s.goldRate));
  for (let i = 0; i < goldCount; i++) {
    const k = Math.floor((i * data.images.length) / goldCount);
    const file = `gold-${String(i).padStart(4, '0')}`;
    writeFileSync(join(samplesDir, `${file}.png`), encodePng(data.images[k]!));
    writeFileSync(join(samplesDir, `${file}.json`), JSON.stringify({ condition: data.conditions[k], real: true }));
  }
  const created = createStudyFromSamples(store, {
    name,
    mode: s.mode,
    dir: samplesDir,
    raters: raterNames,
    ratersPerItem: Math.min(s.ratersPerItem, s.raters),
    goldRate: s.goldRate,
    seed: ctx.config.seed,
    simulatedRaters: !ctx.interactive,
  });
  return {
    studyId: created.study.id,
    items: created.items,
    goldItems: created.goldItems,
    assignments: created.assignments,
    raters: created.raters.map((r) => ({ name: r.rater.name, token: r.token })),
  };
}

/**
 * The study a killed run left behind: its raters' links and what is still unanswered.
 * Its raters come from the study itself, not from today's config, so none with open
 * assignments is left out; and a study of another size than medloop.yaml asks for is
 * refused rather than silently rated on (its answers would train a reward model the
 * config does not describe).
 */
function resumeStudy(ctx: DemoContext, store: FeedbackStore, studyId: number, expectedItems: number): OpenedStudy {
  const items = store.listItems(studyId);
  const sampled = items.filter((i) => !i.isGold).length;
  if (sampled !== expectedItems) {
    throw new Error(
      `study: the study a stopped run left in this workspace (id ${studyId}) has ${sampled} samples, but study.samplesPerCondition × classes in medloop.yaml asks for ${expectedItems}; set study.samplesPerCondition back, or run the demo in a new --out folder`,
    );
  }
  const report = studyReport(store, studyId);
  const left = report.raters.reduce((n, r) => n + (r.total - r.done), 0);
  ctx.log(`study: resuming study ${studyId}, which a stopped run left with ${left} answers to go`);
  const raters = report.raters.map((r) => ({ name: r.name, token: store.tokenFor(r.id) }));
  return { studyId, items: sampled, goldItems: items.length - sampled, assignments: left, raters };
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Serves the study, prints the links, and waits until every assignment has an answer. */
async function rateInteractively(ctx: DemoContext, store: FeedbackStore, studyId: number, raters: { name: string; token: string }[]): Promise<void> {
  const app = await buildServer({ store });
  const address = await app.listen({ port: Number(process.env.MEDLOOP_PORT ?? 8377), host: '127.0.0.1' });
  const admin = store.ensureAdmin();
  console.log(`\nThe study is open. Rate it in your browser, then the demo continues by itself.\n  admin: ${adminLink(address, admin.token)}`);
  for (const r of raters) console.log(`  ${r.name}: ${raterLink(address, r.token)}`);
  try {
    for (;;) {
      const report = studyReport(store, studyId);
      const left = report.raters.reduce((n, r) => n + (r.total - r.done), 0);
      if (left === 0) break;
      await new Promise((res) => setTimeout(res, 2000));
    }
  } finally {
    await app.close();
  }
  ctx.log('study: every assignment answered');
}
