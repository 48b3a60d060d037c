// The admin's side: JSON API (Bearer admin token) and server-rendered pages (admin token
// in the path) to create studies, add raters, watch progress, gold accuracy and
// agreement, close a study, and export answers with provenance.
import { isAbsolute, relative, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidInputError } from '../errors.js';
import { exportCsv, exportJsonl } from '../export.js';
import { studyReport } from '../report.js';
import { addRatersToStudy, createStudyFromCsv, createStudyFromSamples, type CreatedStudy } from '../studies/create.js';
import type { FeedbackStore } from '../store/store.js';
import type { Rater, StudyMode, StudyStatus } from '../store/types.js';
import { adminHomePage, adminStudyPage } from '../web/admin-pages.js';
import { messagePage } from '../web/rater-page.js';
import { bearerToken, requireRole } from './auth.js';
import { addRatersBody, createStudyBody, statusBody, studyIdParams, TOKEN_PATTERN } from './schemas.js';

export interface AdminRoutesOptions {
  store: FeedbackStore;
  /** Base of the links printed for raters, e.g. http://127.0.0.1:8377 (default: from the request's Host). */
  publicUrl?: string;
}

export interface CreateStudyRequest {
  name: string;
  mode: StudyMode;
  samplesDir?: string;
  csv?: string;
  imageDir?: string;
  raters?: string[] | string;
  ratersPerItem?: number;
  goldRate?: number;
  seed?: number;
  comparisonsPerImage?: number;
  instructions?: string;
  checklists?: { default?: string[]; byCondition?: Record<string, string[]> };
}

/** A path from a web form, resolved inside the workspace (the server never reads outside it). */
function workspacePath(store: FeedbackStore, p: string, field: string): string {
  if (!store.workspaceDir) throw new InvalidInputError(`${field}: this server has no workspace folder to read images from`);
  const abs = resolve(store.workspaceDir, p);
  const rel = relative(store.workspaceDir, abs);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new InvalidInputError(`${field}: '${p}' is outside the workspace`);
  return abs;
}

export function createStudyFromRequest(store: FeedbackStore, b: CreateStudyRequest, actor: string): CreatedStudy {
  const samplesDir = b.samplesDir?.trim();
  const csv = b.csv?.trim();
  if (!samplesDir === !csv) throw new InvalidInputError('give exactly one of samplesDir (sample folder) or csv (image list)');
  const raters = (Array.isArray(b.raters) ? b.raters : (b.raters ?? '').split(/[,\n]/)).map((r) => r.trim()).filter(Boolean);
  const common = {
    name: b.name,
    mode: b.mode,
    raters,
    ...(b.ratersPerItem !== undefined ? { ratersPerItem: b.ratersPerItem } : {}),
    ...(b.goldRate !== undefined ? { goldRate: b.goldRate } : {}),
    ...(b.seed !== undefined ? { seed: b.seed } : {}),
    ...(b.comparisonsPerImage !== undefined ? { comparisonsPerImage: b.comparisonsPerImage } : {}),
    ...(b.instructions ? { instructions: b.instructions } : {}),
    ...(b.checklists ? { checklists: b.checklists } : {}),
    actor,
  };
  if (samplesDir) return createStudyFromSamples(store, { ...common, dir: workspacePath(store, samplesDir, 'samplesDir') });
  return createStudyFromCsv(store, {
    ...common,
    csv: workspacePath(store, csv!, 'csv'),
    ...(b.imageDir?.trim() ? { imageDir: workspacePath(store, b.imageDir.trim(), 'imageDir') } : {}),
  });
}

function baseUrl(req: FastifyRequest, publicUrl?: string): string {
  return (publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
}

export function raterLink(base: string, token: string): string {
  return `${base}/r/${token}`;
}

export function adminLink(base: string, token: string): string {
  return `${base}/admin/${token}`;
}

export async function adminRoutes(app: FastifyInstance, opts: AdminRoutesOptions): Promise<void> {
  const { store } = opts;
  const admin = (req: FastifyRequest) => requireRole(store, bearerToken(req), 'admin');
  const tokenFor = (r: Rater) => {
    try {
      return store.tokenFor(r.id);
    } catch {
      return null;
    }
  };

  function studySummaries() {
    return store.listStudies().map((study) => {
      const raters = store.studyRaters(study.id);
      const prog = raters.map((r) => store.progress(study.id, r.id));
      return {
        study,
        items: store.listItems(study.id).filter((i) => !i.isGold).length,
        raters: raters.length,
        done: prog.reduce((s, p) => s + p.done, 0),
        total: prog.reduce((s, p) => s + p.total, 0),
      };
    });
  }

  function exportReply(reply: FastifyReply, studyId: number, format: 'csv' | 'jsonl') {
    const study = store.getStudy(studyId);
    const safe = study.name.replace(/[^A-Za-z0-9._-]+/g, '_');
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="${safe}.${format}"`)
      .send(format === 'csv' ? exportCsv(store, studyId) : exportJsonl(store, studyId));
  }

  // ── JSON API ──
  app.get('/api/admin/studies', async (req) => {
    admin(req);
    return { studies: studySummaries() };
  });

  app.post<{ Body: CreateStudyRequest }>('/api/admin/studies', { schema: { body: createStudyBody } }, async (req, reply) => {
    const who = admin(req);
    const created = createStudyFromRequest(store, req.body, `admin:${who.id}`);
    const base = baseUrl(req, opts.publicUrl);
    return reply.status(201).send({
      study: created.study,
      items: created.items,
      goldItems: created.goldItems,
      assignments: created.assignments,
      warnings: created.warnings,
      raters: created.raters.map((r) => ({ name: r.rater.name, created: r.created, link: raterLink(base, r.token) })),
    });
  });

  app.get<{ Params: { studyId: number } }>('/api/admin/studies/:studyId', { schema: { params: studyIdParams } }, async (req) => {
    admin(req);
    return studyReport(store, req.params.studyId);
  });

  app.get<{ Params: { studyId: number } }>('/api/admin/studies/:studyId/agreement', { schema: { params: studyIdParams } }, async (req) => {
    admin(req);
    const r = studyReport(store, req.params.studyId);
    return { answer: r.agreement, criteria: r.criteria };
  });

  app.post<{ Params: { studyId: number }; Body: { names: string[]; simulated?: boolean } }>(
    '/api/admin/studies/:studyId/raters',
    { schema: { params: studyIdParams, body: addRatersBody } },
    async (req, reply) => {
      const who = admin(req);
      const links = addRatersToStudy(store, req.params.studyId, req.body.names, { simulated: Boolean(req.body.simulated), actor: `admin:${who.id}` });
      const base = baseUrl(req, opts.publicUrl);
      return reply.status(201).send({ raters: links.map((l) => ({ name: l.rater.name, created: l.created, token: l.token, link: raterLink(base, l.token) })) });
    },
  );

  app.post<{ Params: { studyId: number }; Body: { status: StudyStatus } }>(
    '/api/admin/studies/:studyId/status',
    { schema: { params: studyIdParams, body: statusBody } },
    async (req) => {
      const who = admin(req);
      return { study: store.setStudyStatus(req.params.studyId, req.body.status, `admin:${who.id}`) };
    },
  );

  app.get<{ Params: { studyId: number } }>('/api/admin/studies/:studyId/export.csv', { schema: { params: studyIdParams } }, async (req, reply) => {
    admin(req);
    return exportReply(reply, req.params.studyId, 'csv');
  });

  app.get<{ Params: { studyId: number } }>('/api/admin/studies/:studyId/export.jsonl', { schema: { params: studyIdParams } }, async (req, reply) => {
    admin(req);
    return exportReply(reply, req.params.studyId, 'jsonl');
  });

  app.get('/api/admin/raters', async (req) => {
    admin(req);
    const base = baseUrl(req, opts.publicUrl);
    return {
      raters: store.listRaters({ role: 'rater' }).map((r) => {
        const t = tokenFor(r);
        return { id: r.id, name: r.name, simulated: r.simulated, link: t ? raterLink(base, t) : null };
      }),
    };
  });

  // ── HTML (token in the path, so plain links and forms work without script) ──
  const tokenParams = { type: 'object', properties: { token: { type: 'string', pattern: TOKEN_PATTERN } }, required: ['token'], additionalProperties: false } as const;
  const tokenStudyParams = {
    type: 'object',
    properties: { token: { type: 'string', pattern: TOKEN_PATTERN }, studyId: { type: 'integer', minimum: 1 } },
    required: ['token', 'studyId'],
    additionalProperties: false,
  } as const;
  const htmlAdmin = (token: string, reply: FastifyReply): Rater | undefined => {
    const who = store.authenticate(token);
    if (who?.role === 'admin') return who;
    void reply.status(who ? 403 : 401).type('text/html; charset=utf-8').send(messagePage('Not authorised', 'This admin link is not valid.'));
    return undefined;
  };
  const homeHtml = (req: FastifyRequest, token: string, extra: { error?: string; form?: Record<string, string> } = {}) => {
    const base = baseUrl(req, opts.publicUrl);
    const raters = store.listRaters({ role: 'rater' }).map((rater) => {
      const t = tokenFor(rater);
      return { rater, link: t ? raterLink(base, t) : '(key changed: reissue)', studies: store.raterStudies(rater.id).length };
    });
    return adminHomePage({ token, baseUrl: base, studies: studySummaries(), raters, ...extra });
  };

  app.get<{ Params: { token: string } }>('/admin/:token', { schema: { params: tokenParams } }, async (req, reply) => {
    if (!htmlAdmin(req.params.token, reply)) return reply;
    return reply.type('text/html; charset=utf-8').send(homeHtml(req, req.params.token));
  });

  app.post<{ Params: { token: string }; Body: Record<string, string> }>(
    '/admin/:token/studies',
    {
      schema: {
        params: tokenParams,
        body: {
          type: 'object',
          properties: Object.fromEntries(
            ['name', 'mode', 'samplesDir', 'csv', 'imageDir', 'raters', 'ratersPerItem', 'goldRate', 'seed', 'comparisonsPerImage', 'instructions'].map((k) => [k, { type: 'string', maxLength: 10000 }]),
          ),
          required: ['name', 'mode'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const who = htmlAdmin(req.params.token, reply);
      if (!who) return reply;
      const f = req.body;
      const num = (k: string) => (f[k]?.trim() ? Number(f[k]) : undefined);
      try {
        if (f.mode !== 'binary' && f.mode !== 'pairwise') throw new InvalidInputError(`mode must be binary or pairwise, got '${f.mode}'`);
        const created = createStudyFromRequest(
          store,
          {
            name: f.name!,
            mode: f.mode,
            ...(f.samplesDir ? { samplesDir: f.samplesDir } : {}),
            ...(f.csv ? { csv: f.csv } : {}),
            ...(f.imageDir ? { imageDir: f.imageDir } : {}),
            raters: f.raters ?? '',
            ...(num('ratersPerItem') !== undefined ? { ratersPerItem: num('ratersPerItem')! } : {}),
            ...(num('goldRate') !== undefined ? { goldRate: num('goldRate')! } : {}),
            ...(num('seed') !== undefined ? { seed: num('seed')! } : {}),
            ...(num('comparisonsPerImage') !== undefined ? { comparisonsPerImage: num('comparisonsPerImage')! } : {}),
            ...(f.instructions ? { instructions: f.instructions } : {}),
          },
          `admin:${who.id}`,
        );
        return reply.redirect(`/admin/${req.params.token}/studies/${created.study.id}`, 303);
      } catch (e) {
        const status = (e as { statusCode?: number }).statusCode;
        if (!status || status >= 500) throw e;
        return reply.status(status).type('text/html; charset=utf-8').send(homeHtml(req, req.params.token, { error: (e as Error).message, form: f }));
      }
    },
  );

  app.get<{ Params: { token: string; studyId: number } }>('/admin/:token/studies/:studyId', { schema: { params: tokenStudyParams } }, async (req, reply) => {
    if (!htmlAdmin(req.params.token, reply)) return reply;
    const report = studyReport(store, req.params.studyId);
    const base = baseUrl(req, opts.publicUrl);
    const raterLinks = new Map<number, string>();
    for (const r of report.raters) {
      const t = tokenFor(store.getRater(r.id));
      if (t) raterLinks.set(r.id, raterLink(base, t));
    }
    return reply.type('text/html; charset=utf-8').send(adminStudyPage({ token: req.params.token, report, raterLinks }));
  });

  app.post<{ Params: { token: string; studyId: number }; Body: { status: StudyStatus } }>(
    '/admin/:token/studies/:studyId/status',
    { schema: { params: tokenStudyParams, body: statusBody } },
    async (req, reply) => {
      const who = htmlAdmin(req.params.token, reply);
      if (!who) return reply;
      store.setStudyStatus(req.params.studyId, req.body.status, `admin:${who.id}`);
      return reply.redirect(`/admin/${req.params.token}/studies/${req.params.studyId}`, 303);
    },
  );

  for (const format of ['csv', 'jsonl'] as const) {
    app.get<{ Params: { token: string; studyId: number } }>(`/admin/:token/studies/:studyId/export.${format}`, { schema: { params: tokenStudyParams } }, async (req, reply) => {
      if (!htmlAdmin(req.params.token, reply)) return reply;
      return exportReply(reply, req.params.studyId, format);
    });
  }
}
