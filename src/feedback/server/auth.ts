// Who is calling: a rater or the admin, from `Authorization: Bearer <token>` (API) or the
// token in a personal link's path (HTML pages). The store compares token hashes in
// constant time; unknown tokens are 401, the wrong role 403.
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { FeedbackStore } from '../store/store.js';
import type { Rater, RaterRole } from '../store/types.js';

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

export function requireRole(store: FeedbackStore, token: string | undefined, role: RaterRole): Rater {
  if (!token) throw new UnauthorizedError('missing token: send Authorization: Bearer <token>');
  const who = store.authenticate(token);
  if (!who) throw new UnauthorizedError('unknown token');
  if (who.role !== role) throw new ForbiddenError(role === 'admin' ? 'this route needs the admin token' : 'the admin token cannot rate; use a rater link');
  return who;
}
