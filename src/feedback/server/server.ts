// The feedback HTTP server, built by a function so tests (and the simulated raters) can
// start it in-process on port 0. Rater and admin routes are encapsulated plugins; every
// error is JSON `{statusCode, error, message}` naming the field, id or key at fault.
import Fastify, { type FastifyError, type FastifyInstance, type FastifySchemaValidationError } from 'fastify';
import { FeedbackError } from '../errors.js';
import { FeedbackStore } from '../store/store.js';
import { html, page } from '../web/html.js';
import { appCss, raterClientJs } from '../web/assets.js';
import { adminRoutes } from './admin-routes.js';
import { raterRoutes } from './rater-routes.js';

export interface BuildServerOptions {
  /** An open store (the caller keeps ownership), or… */
  store?: FeedbackStore;
  /** …a database path the server opens and closes itself (`<workspace>/medloop.db`). */
  dbPath?: string;
  /** Base URL for links shown on admin pages (default: from each request's Host header). */
  publicUrl?: string;
  /** Fastify logger. Off by default: request URLs hold personal tokens. */
  logger?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    feedbackStore: FeedbackStore;
  }
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** One validation error as a sentence naming the field: `body.choice must be one of: plausible, …`. */
function describeSchemaError(e: FastifySchemaValidationError | undefined, dataVar: string): string {
  if (!e) return `${dataVar} is invalid`;
  const where = `${dataVar}${e.instancePath.replace(/\//g, '.')}`;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: unknown property '${String(p.additionalProperty)}'`;
    case 'required':
      return `${where}: missing required property '${String(p.missingProperty)}'`;
    case 'enum':
      return `${where} must be one of: ${(p.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

export async function buildServer(opts: BuildServerOptions): Promise<FastifyInstance> {
  if (!opts.store && !opts.dbPath) throw new FeedbackError('buildServer needs a store or a dbPath', 'bad_options', 500);
  const store = opts.store ?? FeedbackStore.open(opts.dbPath!);
  const owned = !opts.store;

  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 1 << 20,
    // Unknown properties are errors, not silently dropped: a misspelt field gets a 400 naming it.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    schemaErrorFormatter: (errors, dataVar) => new Error(describeSchemaError(errors[0], dataVar)),
  });
  app.decorate('feedbackStore', store);
  if (owned) app.addHook('onClose', async () => store.close());

  // HTML forms post urlencoded bodies; parsed here rather than with a plugin.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1 << 16 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', CSP);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((err: FastifyError | FeedbackError, req, reply) => {
    if (err instanceof FeedbackError) {
      if (err.statusCode >= 500) req.log.error(err);
      return reply.status(err.statusCode).send({ statusCode: err.statusCode, error: err.code, message: err.message });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.status(400).send({ statusCode: 400, error: 'invalid_input', message: fe.message });
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const type = String(req.headers['content-type'] ?? 'none').slice(0, 100);
      return reply.status(415).send({ statusCode: 415, error: 'unsupported_media_type', message: `unsupported content-type '${type}': send application/json` });
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ statusCode: fe.statusCode, error: fe.code ?? 'bad_request', message: fe.message });
    }
    req.log.error(err);
    return reply.status(500).send({ statusCode: 500, error: 'internal', message: 'internal server error' });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ statusCode: 404, error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]!.replace(/\/(r|admin)\/[^/]+/, '/$1/…')}` });
  });

  // Bundle the client now so a broken build fails at start, not on a rater's first visit.
  const js = raterClientJs();
  const css = appCss();
  app.get('/assets/rater.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(js));
  app.get('/assets/app.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(css));
  app.get('/favicon.ico', async (_req, reply) => reply.status(204).send());
  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(
      page({
        title: 'medloop',
        bodyClass: 'plain',
        body: html`<header class="topbar"><div class="brand">medloop <span>· expert review</span></div></header>
<div class="container"><h1>Expert review</h1><p class="sub">Open the personal link you were sent to start rating.</p></div>`,
      }),
    ),
  );
  app.get('/healthz', async () => ({ ok: true }));

  await app.register(raterRoutes, { store });
  await app.register(adminRoutes, { store, ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}) });
  return app;
}
