// A blinded binary study rated through the real HTTP server, from a folder of samples
// (with real images mixed in as hidden gold items): by simulated raters built on the
// truth judge, or, with --interactive, by people. The demo's first study (what the
// reward models learn from) and its validation study (which aligned model the raters
// accept) are both one of these; a study a killed run left behind is rated on from
// where it stopped.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Progress } from '../../cli/progress.js';
import { encodePng } from '../../data/png.js';
import { type AnswerRecord, FeedbackStore, adminLink, buildServer, createStudyFromSamples, raterLink, registerJudge, simulateStudy, studyReport } from '../../feedback/index.js';
import type { DemoContext, DemoData, TruthJudge } from './context.js';

export interface RatedStudySpec {
  name: string;
  samplesDir: string;
  /** Non-gold items the study holds: a left-over study of another size is refused. */
  expectedItems: number;
  /** The config key that sets its size, named when a left-over study does not match it. */
  sizeKey: string;
  /** Writes the samples (PNG + JSON sidecar each) into `samplesDir`; gold items are added after. */
  writeSamples: () => void;
  /** Seed of the study's assignment order and of the simulated raters. */
  seed: number;
  /** Label of the progress bar. */
  label: string;
  /** Binary or pairwise (default: study.mode). */
  mode?: 'binary' | 'pairwise';
  /** Raters per item (default: study.ratersPerItem, at most study.raters). */
  ratersPerItem?: number;
}

export interface RatedStudy {
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

/** Creates (or takes up) the study, has every assignment answered, and reports it; `read` sees the store before it closes. */
export async function rateStudy<T = undefined>(
  ctx: DemoContext,
  data: DemoData,
  judge: TruthJudge,
  spec: RatedStudySpec,
  read?: (answers: AnswerRecord[]) => T,
): Promise<{ study: RatedStudy; read: T }> {
  const s = ctx.config.study;
  const raterNames = Array.from({ length: s.raters }, (_, i) => (ctx.interactive ? `expert-${i + 1}` : `sim-${i + 1}`));
  const store = FeedbackStore.openWorkspace(ctx.ws.dir);
  try {
    // A run killed while the study was being rated left it in the store, images and answers
    // included: rate on from where it stopped rather than sample a second study.
    const existing = store.findStudy(spec.name);
    const opened = existing ? resumeStudy(ctx, store, existing.id, spec) : openStudy(ctx, store, data, spec, raterNames);
    const { studyId } = opened;
    if (ctx.interactive) {
      await rateInteractively(ctx, store, studyId, opened.raters, spec.label);
    } else {
      registerJudge(data.judgeName, judge, 'the demo’s truth judge');
      const progress = new Progress({ label: spec.label, total: opened.assignments, silent: ctx.silent });
      await simulateStudy({
        store,
        study: studyId,
        raters: s.raters,
        namePrefix: 'sim',
        errorRate: s.errorRate,
        bias: s.bias,
        judge: data.judgeName,
        seed: spec.seed,
        onProgress: (d) => progress.set(d),
      });
      progress.finish();
    }
    const report = studyReport(store, studyId);
    const study: RatedStudy = {
      studyId,
      samplesDir: spec.samplesDir,
      items: opened.items,
      goldItems: opened.goldItems,
      answers: report.answers,
      plausibleRate: report.plausibleRate,
      agreement: { fleissKappa: finite(report.agreement.fleiss.kappa), krippendorffAlpha: finite(report.agreement.krippendorff.alpha) },
      goldAccuracy: Object.fromEntries(report.raters.map((r) => [r.name, r.gold.accuracy])),
    };
    return { study, read: read ? read(store.listAnswers(studyId, { includeGold: false })) : (undefined as T) };
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

/** Writes the samples, adds real images as hidden gold items, and creates the study. */
function openStudy(ctx: DemoContext, store: FeedbackStore, data: DemoData, spec: RatedStudySpec, raterNames: string[]): OpenedStudy {
  const s = ctx.config.study;
  spec.writeSamples();
  writeGoldItems(spec.samplesDir, data, Math.max(data.classes.length, Math.round(spec.expectedItems * s.goldRate)));
  const created = createStudyFromSamples(store, {
    name: spec.name,
    mode: spec.mode ?? s.mode,
    dir: spec.samplesDir,
    raters: raterNames,
    ratersPerItem: Math.min(spec.ratersPerItem ?? s.ratersPerItem, s.raters),
    goldRate: s.goldRate,
    seed: spec.seed,
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

/** Real images with their true class, spread over the data: the hidden gold items (answer: plausible). */
function writeGoldItems(dir: string, data: DemoData, count: number): void {
  for (let i = 0; i < count; i++) {
    const k = Math.floor((i * data.images.length) / count);
    const file = `gold-${String(i).padStart(4, '0')}`;
    writeFileSync(join(dir, `${file}.png`), encodePng(data.images[k]!));
    writeFileSync(join(dir, `${file}.json`), JSON.stringify({ condition: data.conditions[k], real: true }));
  }
}

/**
 * The study a killed run left behind: its raters' links and what is still unanswered.
 * Its raters come from the study itself, not from today's config, so none with open
 * assignments is left out; and a study of another size than medloop.yaml asks for is
 * refused rather than silently rated on (its answers would describe a study the config
 * does not).
 */
function resumeStudy(ctx: DemoContext, store: FeedbackStore, studyId: number, spec: RatedStudySpec): OpenedStudy {
  const items = store.listItems(studyId);
  const sampled = items.filter((i) => !i.isGold).length;
  if (sampled !== spec.expectedItems) {
    throw new Error(
      `${spec.label}: the study a stopped run left in this workspace (id ${studyId}) has ${sampled} samples, but ${spec.sizeKey} × classes in medloop.yaml asks for ${spec.expectedItems}; set ${spec.sizeKey} back, or run the demo in a new --out folder`,
    );
  }
  const report = studyReport(store, studyId);
  const left = report.raters.reduce((n, r) => n + (r.total - r.done), 0);
  ctx.log(`${spec.label}: resuming study ${studyId}, which a stopped run left with ${left} answers to go`);
  const raters = report.raters.map((r) => ({ name: r.name, token: store.tokenFor(r.id) }));
  return { studyId, items: sampled, goldItems: items.length - sampled, assignments: left, raters };
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Serves the study, prints the links, and waits until every assignment has an answer. */
async function rateInteractively(ctx: DemoContext, store: FeedbackStore, studyId: number, raters: { name: string; token: string }[], label: string): Promise<void> {
  const app = await buildServer({ store });
  const address = await app.listen({ port: Number(process.env.MEDLOOP_PORT ?? 8377), host: '127.0.0.1' });
  const admin = store.ensureAdmin();
  console.log(`\nThe ${label} study is open. Rate it in your browser, then the demo continues by itself.\n  admin: ${adminLink(address, admin.token)}`);
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
  ctx.log(`${label}: every assignment answered`);
}
