// What the admin sees about a study: per-rater progress, gold accuracy, and agreement
// (Cohen's κ per rater pair, Fleiss' κ, Krippendorff's α) for the main answer and for
// each checklist criterion ("did it fail?").
import { agreementSummary, type AgreementSummary, type Rating } from './agreement/index.js';
import { checklistFor, type Criterion } from './checklists.js';
import type { FeedbackStore } from './store/store.js';
import type { AnswerRecord, Study } from './store/types.js';

export interface RaterReport {
  id: number;
  name: string;
  simulated: boolean;
  done: number;
  total: number;
  gold: { answered: number; correct: number; accuracy: number | null };
  /** Mean seconds per answer (from the client's timing). */
  meanSeconds: number | null;
}

export interface CriterionAgreement {
  criterion: Criterion;
  /** Share of answers (whose checklist has the criterion) that ticked it. */
  failRate: number;
  answers: number;
  agreement: AgreementSummary;
}

export interface StudyReport {
  study: Study;
  items: number;
  goldItems: number;
  answers: number;
  retracted: number;
  raters: RaterReport[];
  /** Binary: share of live non-gold answers that said plausible. Pairwise: share of ties. */
  plausibleRate: number | null;
  agreement: AgreementSummary;
  criteria: CriterionAgreement[];
}

/** The main answer as a nominal label: plausible/implausible, or a/b/tie for pairs (side-independent). */
export function answerLabel(a: AnswerRecord): string {
  return a.mode === 'binary' ? a.choice : (a.winner ?? 'tie');
}

export function studyReport(store: FeedbackStore, studyId: number): StudyReport {
  const study = store.getStudy(studyId);
  const items = store.listItems(studyId);
  const all = store.listAnswers(studyId, { includeRetracted: true });
  const live = all.filter((a) => a.retractedAt === null);
  const raters = store.studyRaters(studyId).map((r): RaterReport => {
    const mine = live.filter((a) => a.raterId === r.id);
    const gold = mine.filter((a) => a.isGold);
    const correct = gold.filter((a) => a.correct).length;
    const timed = mine.filter((a) => a.timeMs !== null);
    const p = store.progress(studyId, r.id);
    return {
      id: r.id,
      name: r.name,
      simulated: r.simulated,
      done: p.done,
      total: p.total,
      gold: { answered: gold.length, correct, accuracy: gold.length ? correct / gold.length : null },
      meanSeconds: timed.length ? timed.reduce((s, a) => s + a.timeMs!, 0) / timed.length / 1000 : null,
    };
  });
  const ratings: Rating[] = live.map((a) => ({ unit: a.itemId, rater: a.raterName, label: answerLabel(a) }));
  const categories = study.mode === 'binary' ? ['plausible', 'implausible'] : ['a', 'b', 'tie'];
  const criteria: CriterionAgreement[] = [];
  if (study.mode === 'binary') {
    const all = new Map<string, Criterion>();
    for (const c of [...study.checklists.default, ...Object.values(study.checklists.byCondition).flat()]) if (!all.has(c.id)) all.set(c.id, c);
    for (const c of all.values()) {
      const relevant = live.filter((a) => checklistFor(study.checklists, a.condition).some((x) => x.id === c.id));
      const r = relevant.map((a) => ({ unit: a.itemId, rater: a.raterName, label: a.failedCriteria.includes(c.id) ? 'fail' : 'ok' }));
      criteria.push({
        criterion: c,
        failRate: relevant.length ? r.filter((x) => x.label === 'fail').length / relevant.length : 0,
        answers: relevant.length,
        agreement: agreementSummary(r, ['fail', 'ok']),
      });
    }
  }
  const nonGold = live.filter((a) => !a.isGold);
  return {
    study,
    items: items.filter((i) => !i.isGold).length,
    goldItems: items.filter((i) => i.isGold).length,
    answers: live.length,
    retracted: all.length - live.length,
    raters,
    plausibleRate: nonGold.length
      ? nonGold.filter((a) => (study.mode === 'binary' ? a.choice === 'plausible' : a.winner === 'tie')).length / nonGold.length
      : null,
    agreement: agreementSummary(ratings, categories),
    criteria,
  };
}
