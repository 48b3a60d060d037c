// Creating a study: ingest images (by workspace path or by copied bytes), build items
// (single images, or same-condition pairs), mix in gold items, create raters that do
// not exist yet, and plan assignments — all in one transaction.
import { readFileSync } from 'node:fs';
import { type ChecklistInput, makeChecklistConfig } from '../checklists.js';
import { InvalidInputError } from '../errors.js';
import { isPng, pngSize, sha256Hex, toPngBytes } from '../images.js';
import { deriveSeed, seededRandom, shuffled } from '../random.js';
import type { FeedbackStore } from '../store/store.js';
import type { Rater, Study, StudyMode } from '../store/types.js';
import { planAssignments } from './plan.js';
import { readImageCsv, readSampleFolder, type SourceImage } from './sources.js';

export interface StudyOptions {
  name: string;
  mode: StudyMode;
  /** Rater names; raters that do not exist yet are created. May be empty (add raters later). */
  raters?: string[];
  /** k: raters per item. Default 3. */
  ratersPerItem?: number;
  /** Fraction of each rater's queue that is gold items. Default 0.1 when gold images exist, else 0. */
  goldRate?: number;
  seed?: number;
  checklists?: ChecklistInput;
  instructions?: string;
  /** Pairwise: how many comparisons each image takes part in (rounds of random same-condition pairing). Default 1. */
  comparisonsPerImage?: number;
  simulatedRaters?: boolean;
  actor?: string;
}

export interface CreateStudyInput extends StudyOptions {
  /** Images to rate; those with a `goldAnswer` become gold items. */
  images: SourceImage[];
}

export interface RaterLink {
  rater: Rater;
  token: string;
  created: boolean;
}

export interface CreatedStudy {
  study: Study;
  items: number;
  goldItems: number;
  assignments: number;
  raters: RaterLink[];
  warnings: string[];
}

function ingest(store: FeedbackStore, studyId: number, img: SourceImage): number {
  const bytes = readFileSync(img.file);
  const png = toPngBytes(bytes, img.file);
  const { width, height } = pngSize(png, img.file);
  const converted = !isPng(bytes);
  return store.insertImage({
    studyId,
    condition: img.condition,
    ...(converted ? { png } : { file: img.file }),
    sha256: sha256Hex(converted ? png : bytes),
    width,
    height,
    source: img.source,
    provenance: img.provenance,
  });
}

function ensureRaters(store: FeedbackStore, names: ReadonlyArray<string>, simulated: boolean, actor: string): RaterLink[] {
  return [...new Set(names.map((n) => n.trim()).filter(Boolean))].map((name) => {
    const existing = store.findRater(name);
    if (existing) {
      if (existing.role !== 'rater') throw new InvalidInputError(`'${name}' is an admin account, not a rater`);
      return { rater: existing, token: store.tokenFor(existing.id), created: false };
    }
    return { ...store.createRater(name, { simulated, actor }), created: true };
  });
}

function validate(o: StudyOptions): void {
  if (!o.name.trim() || o.name.length > 100) throw new InvalidInputError(`study name '${o.name}' must be 1–100 characters`);
  const k = o.ratersPerItem ?? 3;
  if (!Number.isInteger(k) || k < 1 || k > 100) throw new InvalidInputError(`ratersPerItem must be an integer in 1..100, got ${k}`);
  const g = o.goldRate ?? 0;
  if (!(g >= 0 && g < 1)) throw new InvalidInputError(`goldRate must be in [0, 1), got ${g}`);
  const c = o.comparisonsPerImage ?? 1;
  if (!Number.isInteger(c) || c < 1 || c > 20) throw new InvalidInputError(`comparisonsPerImage must be an integer in 1..20, got ${c}`);
}

export function createStudy(store: FeedbackStore, input: CreateStudyInput): CreatedStudy {
  validate(input);
  const actor = input.actor ?? 'system';
  const seed = input.seed ?? 1;
  const warnings: string[] = [];
  const goldImages = input.images.filter((i) => i.goldAnswer);
  const regularImages = input.images.filter((i) => !i.goldAnswer);
  if (regularImages.length === 0) throw new InvalidInputError(`study '${input.name}': no images to rate (all ${input.images.length} are gold items)`);
  const goldRate = input.goldRate ?? (goldImages.length ? 0.1 : 0);
  if (goldRate > 0 && goldImages.length === 0) warnings.push('goldRate > 0 but no gold images (sidecar real/goldAnswer or CSV gold_answer): no gold items mixed in');

  return store.transaction(() => {
    const study = store.insertStudy(
      {
        name: input.name.trim(),
        mode: input.mode,
        checklists: makeChecklistConfig(input.checklists),
        ratersPerItem: input.ratersPerItem ?? 3,
        goldRate,
        seed,
        instructions: input.instructions ?? '',
      },
      actor,
    );
    const random = seededRandom(deriveSeed(seed, 'items'));
    const regularItems: number[] = [];
    const goldItems: number[] = [];
    if (input.mode === 'binary') {
      for (const img of regularImages) regularItems.push(store.insertItem({ studyId: study.id, condition: img.condition, imageIds: [ingest(store, study.id, img)] }));
      for (const img of goldImages) goldItems.push(store.insertItem({ studyId: study.id, condition: img.condition, imageIds: [ingest(store, study.id, img)], goldAnswer: img.goldAnswer! }));
    } else {
      const byCondition = new Map<string, number[]>();
      for (const img of regularImages) {
        const list = byCondition.get(img.condition) ?? [];
        list.push(ingest(store, study.id, img));
        byCondition.set(img.condition, list);
      }
      for (const [condition, ids] of byCondition) {
        if (ids.length < 2) {
          warnings.push(`condition '${condition}' has a single image: nothing to compare it with`);
          continue;
        }
        const seen = new Set<string>();
        for (let round = 0; round < (input.comparisonsPerImage ?? 1); round++) {
          const order = shuffled(ids, random);
          for (let i = 0; i + 1 < order.length; i += 2) {
            const [a, b] = [order[i]!, order[i + 1]!];
            const key = a < b ? `${a}-${b}` : `${b}-${a}`;
            if (seen.has(key)) continue;
            seen.add(key);
            regularItems.push(store.insertItem({ studyId: study.id, condition, imageIds: [a, b] }));
          }
        }
      }
      // Gold pairs: a known-plausible against a known-implausible image of the same condition.
      const conditions = new Set(goldImages.map((g) => g.condition));
      for (const condition of conditions) {
        const good = goldImages.filter((g) => g.condition === condition && g.goldAnswer === 'plausible').map((g) => ingest(store, study.id, g));
        const bad = goldImages.filter((g) => g.condition === condition && g.goldAnswer === 'implausible').map((g) => ingest(store, study.id, g));
        if (!good.length || !bad.length) {
          warnings.push(`gold images of '${condition}' need both a plausible and an implausible one to form a gold pair`);
          continue;
        }
        for (let i = 0; i < Math.max(good.length, bad.length); i++) {
          goldItems.push(store.insertItem({ studyId: study.id, condition, imageIds: [good[i % good.length]!, bad[i % bad.length]!], goldAnswer: 'a' }));
        }
      }
      if (regularItems.length === 0) throw new InvalidInputError(`study '${input.name}': no condition has two images to compare`);
    }
    const raters = ensureRaters(store, input.raters ?? [], Boolean(input.simulatedRaters), actor);
    const plan = planAssignments({
      items: regularItems.map((id) => ({ id, need: study.ratersPerItem })),
      goldItemIds: goldItems,
      raterIds: raters.map((r) => r.rater.id),
      goldRate,
      seed,
      pairwise: input.mode === 'pairwise',
    });
    store.insertAssignments(study.id, plan);
    if (raters.length > 0 && raters.length < study.ratersPerItem) warnings.push(`only ${raters.length} raters for k = ${study.ratersPerItem} raters per item`);
    store.audit(actor, 'study.populate', `study:${study.id}`, { items: regularItems.length, goldItems: goldItems.length, assignments: plan.length, raters: raters.map((r) => r.rater.id) });
    return { study, items: regularItems.length, goldItems: goldItems.length, assignments: plan.length, raters, warnings };
  });
}

/**
 * Adds raters to an existing study: they take the items that still have fewer than k
 * raters (least-loaded first), plus gold at the study's rate. Raters already in the study are kept as they are.
 */
export function addRatersToStudy(store: FeedbackStore, studyId: number, names: ReadonlyArray<string>, opts: { simulated?: boolean; actor?: string } = {}): RaterLink[] {
  const actor = opts.actor ?? 'system';
  return store.transaction(() => {
    const study = store.getStudy(studyId);
    const links = ensureRaters(store, names, Boolean(opts.simulated), actor);
    const fresh = links.filter((l) => !store.isAssigned(studyId, l.rater.id));
    const items = store.listItems(studyId);
    const coverage = new Map<number, number>();
    for (const a of store.listAssignments(studyId)) coverage.set(a.itemId, (coverage.get(a.itemId) ?? 0) + 1);
    const plan = planAssignments({
      items: items.filter((i) => !i.isGold).map((i) => ({ id: i.id, need: study.ratersPerItem - (coverage.get(i.id) ?? 0) })),
      goldItemIds: items.filter((i) => i.isGold).map((i) => i.id),
      raterIds: fresh.map((l) => l.rater.id),
      goldRate: study.goldRate,
      seed: study.seed,
      pairwise: study.mode === 'pairwise',
    });
    store.insertAssignments(studyId, plan);
    store.audit(actor, 'study.add_raters', `study:${studyId}`, { raters: fresh.map((l) => l.rater.id), assignments: plan.length });
    return links;
  });
}

export function createStudyFromSamples(store: FeedbackStore, opts: StudyOptions & { dir: string }): CreatedStudy {
  return createStudy(store, { ...opts, images: readSampleFolder(opts.dir) });
}

export function createStudyFromCsv(store: FeedbackStore, opts: StudyOptions & { csv: string; imageDir?: string }): CreatedStudy {
  return createStudy(store, { ...opts, images: readImageCsv(opts.csv, opts.imageDir) });
}
