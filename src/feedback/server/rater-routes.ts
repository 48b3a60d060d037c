// The rater's side: the rating page and the JSON API it talks to. A rater only ever
// reaches their own assignments (another rater's id reads as not found) and never sees
// provenance: items are addressed by random per-assignment ids, images are re-served
// with their metadata chunks stripped, and response schemas whitelist every field.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ItemView, NextResponse } from '../api-types.js';
import { checklistFor } from '../checklists.js';
import { NotFoundError } from '../errors.js';
import type { FeedbackStore } from '../store/store.js';
import type { Choice, Rater } from '../store/types.js';
import { messagePage, raterHomePage, ratingPage } from '../web/rater-page.js';
import { bearerToken, requireRole } from './auth.js';
import {
  answerBody,
  answerResponse,
  nextResponse,
  ownAnswersResponse,
  PUBLIC_ID_PATTERN,
  raterStudiesResponse,
  studyIdParams,
  TOKEN_PATTERN,
  undoBody,
  undoResponse,
} from './schemas.js';

export interface RaterRoutesOptions {
  store: FeedbackStore;
}

/** The study, if this rater has assignments in it; otherwise not found (existence is not revealed). */
function assignedStudy(store: FeedbackStore, rater: Rater, studyId: number) {
  if (!store.isAssigned(studyId, rater.id)) throw new NotFoundError('study', studyId);
  return store.getStudy(studyId);
}

export function itemView(store: FeedbackStore, rater: Rater, studyId: number, assignmentPublicId: string): ItemView {
  const study = store.getStudy(studyId);
  const a = store.raterAssignment(rater.id, assignmentPublicId);
  const item = store.getItem(a.itemId);
  const base = `/api/rater/images/${a.publicId}`;
  const previous = store
    .raterAnswers(studyId, rater.id, { includeRetracted: true })
    .filter((x) => x.assignmentId === a.id)
    .at(-1);
  return {
    assignmentId: a.publicId,
    condition: item.condition,
    checklist: study.mode === 'binary' ? checklistFor(study.checklists, item.condition) : [],
    images: item.imageIds.length === 1 ? { single: `${base}/single` } : { left: `${base}/left`, right: `${base}/right` },
    previous: previous ? { choice: previous.choice, failedCriteria: previous.failedCriteria, comment: previous.comment } : null,
  };
}

export async function raterRoutes(app: FastifyInstance, opts: RaterRoutesOptions): Promise<void> {
  const { store } = opts;
  const rater = (req: FastifyRequest) => requireRole(store, bearerToken(req), 'rater');

  // ── HTML ──
  const tokenParams = { type: 'object', properties: { token: { type: 'string', pattern: TOKEN_PATTERN } }, required: ['token'], additionalProperties: false } as const;
  const htmlRater = (token: string, reply: FastifyReply): Rater | undefined => {
    const who = store.authenticate(token);
    if (who && who.role === 'rater') return who;
    void reply.status(401).type('text/html; charset=utf-8').send(messagePage('Link not valid', 'This rating link is unknown or was revoked. Ask the study coordinator for your personal link.'));
    return undefined;
  };

  app.get<{ Params: { token: string } }>('/r/:token', { schema: { params: tokenParams } }, async (req, reply) => {
    const who = htmlRater(req.params.token, reply);
    if (!who) return reply;
    const studies = store.raterStudies(who.id).map((study) => ({ study, progress: store.progress(study.id, who.id) }));
    const open = studies.filter((s) => s.study.status === 'open');
    if (open.length === 1 && studies.length === 1) return reply.redirect(`/r/${req.params.token}/studies/${open[0]!.study.id}`);
    return reply.type('text/html; charset=utf-8').send(raterHomePage({ token: req.params.token, name: who.name, studies }));
  });

  app.get<{ Params: { token: string; studyId: number } }>(
    '/r/:token/studies/:studyId',
    {
      schema: {
        params: {
          type: 'object',
          properties: { token: { type: 'string', pattern: TOKEN_PATTERN }, studyId: { type: 'integer', minimum: 1 } },
          required: ['token', 'studyId'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const who = htmlRater(req.params.token, reply);
      if (!who) return reply;
      if (!store.isAssigned(req.params.studyId, who.id)) {
        return reply.status(404).type('text/html; charset=utf-8').send(messagePage('Study not found', 'This study is not assigned to you.'));
      }
      const study = store.getStudy(req.params.studyId);
      return reply.type('text/html; charset=utf-8').send(ratingPage({ token: req.params.token, study, progress: store.progress(study.id, who.id) }));
    },
  );

  // ── JSON API ──
  app.get('/api/rater/studies', { schema: { response: { 200: raterStudiesResponse } } }, async (req) => {
    const who = rater(req);
    return {
      rater: { name: who.name },
      studies: store.raterStudies(who.id).map((s) => ({ id: s.id, name: s.name, mode: s.mode, status: s.status, progress: store.progress(s.id, who.id) })),
    };
  });

  app.get<{ Params: { studyId: number } }>('/api/rater/studies/:studyId/next', { schema: { params: studyIdParams, response: { 200: nextResponse } } }, async (req): Promise<NextResponse> => {
    const who = rater(req);
    const study = assignedStudy(store, who, req.params.studyId);
    const next = study.status === 'open' ? store.nextAssignment(study.id, who.id) : undefined;
    const last = store.lastLiveAnswer(study.id, who.id);
    return {
      study: { id: study.id, name: study.name, mode: study.mode, status: study.status, instructions: study.instructions },
      progress: store.progress(study.id, who.id),
      item: next ? itemView(store, who, study.id, next.publicId) : null,
      lastAnswered: last?.assignmentPublicId ?? null,
    };
  });

  app.get<{ Params: { studyId: number } }>('/api/rater/studies/:studyId/answers', { schema: { params: studyIdParams, response: { 200: ownAnswersResponse } } }, async (req) => {
    const who = rater(req);
    const study = assignedStudy(store, who, req.params.studyId);
    return {
      answers: store.raterAnswers(study.id, who.id).map((a) => ({ assignmentId: a.assignmentPublicId, choice: a.choice, failedCriteria: a.failedCriteria, comment: a.comment, createdAt: a.createdAt })),
    };
  });

  app.get<{ Params: { assignmentId: string; side: 'single' | 'left' | 'right' } }>(
    '/api/rater/images/:assignmentId/:side',
    {
      schema: {
        params: {
          type: 'object',
          properties: { assignmentId: { type: 'string', pattern: PUBLIC_ID_PATTERN }, side: { type: 'string', enum: ['single', 'left', 'right'] } },
          required: ['assignmentId', 'side'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const who = rater(req);
      const png = store.raterImage(who.id, req.params.assignmentId, req.params.side);
      return reply.type('image/png').header('cache-control', 'private, no-store').send(png);
    },
  );

  app.post<{ Body: { assignmentId: string; idempotencyKey: string; choice: Choice; failedCriteria?: string[]; comment?: string; timeMs?: number } }>(
    '/api/rater/answers',
    { schema: { body: answerBody, response: { 200: answerResponse, 201: answerResponse } } },
    async (req, reply) => {
      const who = rater(req);
      const b = req.body;
      const { answer, duplicate } = store.recordAnswer({
        raterId: who.id,
        assignmentPublicId: b.assignmentId,
        idempotencyKey: b.idempotencyKey,
        choice: b.choice,
        failedCriteria: b.failedCriteria ?? [],
        comment: b.comment ?? '',
        timeMs: b.timeMs ?? null,
      });
      return reply.status(duplicate ? 200 : 201).send({
        assignmentId: b.assignmentId,
        choice: answer.choice,
        failedCriteria: answer.failedCriteria,
        duplicate,
        progress: store.progress(answer.studyId, who.id),
      });
    },
  );

  app.post<{ Body: { assignmentId: string } }>('/api/rater/undo', { schema: { body: undoBody, response: { 200: undoResponse } } }, async (req) => {
    const who = rater(req);
    const a = store.raterAssignment(who.id, req.body.assignmentId);
    const retracted = store.retract(who.id, req.body.assignmentId);
    return { assignmentId: a.publicId, retracted: retracted !== null, progress: store.progress(a.studyId, who.id) };
  });
}
