// Admin exports of a study's answers, provenance included (the point of an export is
// tracing each rating to the generator state that made the image). Retracted answers
// are kept with their retraction time: the export mirrors the record, undo included.
import { formatCsv } from './csv.js';
import type { FeedbackStore } from './store/store.js';
import type { AnswerRecord, ImageRecord } from './store/types.js';

const IMAGE_COLUMNS = ['id', 'path', 'sha256', 'source', 'model', 'run', 'checkpoint_step', 'seed', 'provenance'] as const;

function imageColumns(img: ImageRecord | undefined): unknown[] {
  if (!img) return IMAGE_COLUMNS.map(() => '');
  const p = img.provenance;
  return [img.id, img.path ?? p.file ?? '', img.sha256, img.source, p.model ?? '', p.run ?? '', p.checkpointStep ?? '', p.seed ?? '', JSON.stringify(p)];
}

export const CSV_HEADER = [
  'answer_id',
  'study',
  'mode',
  'rater',
  'simulated',
  'item_id',
  'condition',
  'is_gold',
  'gold_answer',
  'correct',
  'choice',
  'winner',
  'winner_image_id',
  'failed_criteria',
  'comment',
  'time_ms',
  'created_at',
  'retracted_at',
  ...IMAGE_COLUMNS.map((c) => `image_a_${c}`),
  ...IMAGE_COLUMNS.map((c) => `image_b_${c}`),
];

function csvRow(a: AnswerRecord): unknown[] {
  return [
    a.id,
    a.studyName,
    a.mode,
    a.raterName,
    a.simulated ? 1 : 0,
    a.itemId,
    a.condition,
    a.isGold ? 1 : 0,
    a.goldAnswer ?? '',
    a.correct === null ? '' : a.correct ? 1 : 0,
    a.choice,
    a.winner ?? '',
    a.winnerImageId ?? '',
    a.failedCriteria.join(';'),
    a.comment,
    a.timeMs ?? '',
    a.createdAt,
    a.retractedAt ?? '',
    ...imageColumns(a.images[0]),
    ...imageColumns(a.images[1]),
  ];
}

export function exportCsv(store: FeedbackStore, studyId: number): string {
  return formatCsv(CSV_HEADER, store.listAnswers(studyId, { includeRetracted: true }).map(csvRow));
}

export function exportJsonl(store: FeedbackStore, studyId: number): string {
  return store
    .listAnswers(studyId, { includeRetracted: true })
    .map((a) => JSON.stringify(a) + '\n')
    .join('');
}
