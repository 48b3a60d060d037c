// A typed HTTP client for the rater API, used by simulated raters, tests and benchmarks.
// It speaks exactly what the browser client speaks (Bearer token, idempotency keys).
import { randomBytes } from 'node:crypto';
import type { AnswerRequest, AnswerResponse, NextResponse, RaterStudiesResponse, UndoResponse } from '../api-types.js';
import { FeedbackError } from '../errors.js';

export class HttpError extends FeedbackError {
  override name = 'HttpError';
  constructor(
    readonly method: string,
    readonly path: string,
    status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path} → ${status}: ${(body as { message?: string })?.message ?? JSON.stringify(body)}`, 'http_error', status);
  }
}

export function newIdempotencyKey(): string {
  return randomBytes(16).toString('hex');
}

export class RaterClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new HttpError(method, path, res.status, await res.json().catch(() => null));
    return res;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.call(method, path, body)).json()) as T;
  }

  studies(): Promise<RaterStudiesResponse> {
    return this.json('GET', '/api/rater/studies');
  }

  next(studyId: number): Promise<NextResponse> {
    return this.json('GET', `/api/rater/studies/${studyId}/next`);
  }

  async image(url: string): Promise<Buffer> {
    return Buffer.from(await (await this.call('GET', url)).arrayBuffer());
  }

  /** Returns the status too: 201 first time, 200 for a retry with the same key. */
  async answer(req: AnswerRequest): Promise<{ status: number; body: AnswerResponse }> {
    const res = await this.call('POST', '/api/rater/answers', req);
    return { status: res.status, body: (await res.json()) as AnswerResponse };
  }

  undo(assignmentId: string): Promise<UndoResponse> {
    return this.json('POST', '/api/rater/undo', { assignmentId });
  }
}

/** Admin API calls the simulator needs. */
export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new HttpError(method, path, res.status, data);
    return data as T;
  }
}
