// A workspace with one study, served in-process on a random port.
import type { FastifyInstance } from 'fastify';
import { buildServer, createStudyFromSamples, FeedbackStore, type CreatedStudy, type StudyOptions } from '../../src/feedback/index.js';
import { makeWorkspace, type Workspace } from './fixtures.js';

export interface Served {
  ws: Workspace;
  store: FeedbackStore;
  app: FastifyInstance;
  url: string;
  adminToken: string;
  study: CreatedStudy;
  token(name: string): string;
  close(): Promise<void>;
}

export async function serveStudy(
  study: Omit<StudyOptions, 'name'> & { name?: string },
  workspace: Parameters<typeof makeWorkspace>[0] = {},
): Promise<Served> {
  const ws = makeWorkspace(workspace);
  const store = FeedbackStore.openWorkspace(ws.dir);
  const created = createStudyFromSamples(store, { name: 'Study A', ...study, dir: ws.samplesDir });
  const app = await buildServer({ store });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const tokens = new Map(created.raters.map((r) => [r.rater.name, r.token] as const));
  return {
    ws,
    store,
    app,
    url,
    adminToken: store.ensureAdmin().token,
    study: created,
    token: (name) => tokens.get(name) ?? store.tokenFor(store.findRater(name)!.id),
    async close() {
      await app.close();
      store.close();
      ws.cleanup();
    },
  };
}

export async function http(url: string, opts: { method?: string; token?: string; json?: unknown; body?: string; contentType?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  if (opts.contentType) headers['content-type'] = opts.contentType;
  const res = await fetch(url, {
    method: opts.method ?? (opts.json !== undefined || opts.body !== undefined ? 'POST' : 'GET'),
    headers,
    redirect: 'manual',
    ...(opts.json !== undefined ? { body: JSON.stringify(opts.json) } : opts.body !== undefined ? { body: opts.body } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> & { message?: string; error?: string } };
}
