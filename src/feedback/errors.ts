// Typed errors of the feedback module. Each carries an HTTP status so the server can
// answer with it, a stable machine-readable code, and names the id, key or file at fault.
export class FeedbackError extends Error {
  override name = 'FeedbackError';
  constructor(
    message: string,
    readonly code: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

/** A request or file whose content is not acceptable (bad field, unknown criterion, malformed sidecar). */
export class InvalidInputError extends FeedbackError {
  override name = 'InvalidInputError';
  constructor(message: string) {
    super(message, 'invalid_input', 400);
  }
}

export class NotFoundError extends FeedbackError {
  override name = 'NotFoundError';
  constructor(what: string, id: string | number) {
    super(`${what} '${id}' not found`, 'not_found', 404);
  }
}

/** State conflicts: an idempotency key reused with a different answer, an assignment already answered, a closed study. */
export class ConflictError extends FeedbackError {
  override name = 'ConflictError';
  constructor(message: string) {
    super(message, 'conflict', 409);
  }
}

export class UnauthorizedError extends FeedbackError {
  override name = 'UnauthorizedError';
  constructor(message = 'missing or unknown token') {
    super(message, 'unauthorized', 401);
  }
}

export class ForbiddenError extends FeedbackError {
  override name = 'ForbiddenError';
  constructor(message: string) {
    super(message, 'forbidden', 403);
  }
}
