/** A field-level problem, named by its path in the request (`body.configuration[0].position`). */
export interface FieldError {
  path: string;
  message: string;
}

/** Most field errors one problem lists; `errorCount` then tells how many there were. */
export const MAX_REPORTED_ERRORS = 100;
/** Longest `detail` of a problem. */
export const MAX_DETAIL_LENGTH = 4000;

/**
 * Errors the API answers with. Thrown anywhere, turned into `application/problem+json` once, in
 * the HTTP error middleware. `detail` is always safe to show to the caller.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    /** How many field errors there were, when `errors` lists only some. */
    readonly errorCount?: number,
  ) {
    super(detail);
    this.name = new.target.name;
  }

  /** Problem type: a relative URI reference (RFC 9457 §3.1.1), one per kind of error. */
  get type(): string {
    return `/problems/${this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  }
}

export class BadRequest extends AppError {
  constructor(detail: string, errors?: FieldError[], errorCount?: number) {
    super(400, 'Invalid input', detail, errors, undefined, errorCount);
  }
}

/** One bad field: the common case of BadRequest. */
export const invalidField = (path: string, message: string): BadRequest =>
  new BadRequest(`${path}: ${message}`, [{ path, message }]);

export class Unauthorized extends AppError {
  constructor(detail: string) {
    super(401, 'Unauthorized', detail, undefined, { 'www-authenticate': 'Bearer' });
  }
}

export class Forbidden extends AppError {
  constructor(detail: string, errors?: FieldError[]) {
    super(403, 'Forbidden', detail, errors?.length ? errors : undefined);
  }
}

export class NotFound extends AppError {
  constructor(detail = 'Not found') {
    super(404, 'Not found', detail);
  }
}

export class Conflict extends AppError {
  constructor(detail: string, errors?: FieldError[]) {
    super(409, 'Conflict', detail, errors);
  }
}

/**
 * A serialized component (or an installed twin) that cannot come here because it is somewhere: `at`
 * says where (no `twinId`: in this twin), for callers allowed to know. A caller writing through a view
 * is told only what the view shows (see shared/services/view-writes.ts).
 */
export class InstalledElsewhere extends Conflict {
  constructor(
    detail: string,
    /** The component as the refusal names it: `PN serial SN`, or `Twin <id>`. */
    readonly what: string,
    readonly at: { twinId?: string; path: string } | undefined,
    /** The field of the request that brought it, if any (`body.operations[0]`). */
    readonly field?: string,
  ) {
    super(detail);
  }
}

export class PreconditionFailed extends AppError {
  constructor(detail: string) {
    super(412, 'Precondition failed', detail);
  }
}

export class PayloadTooLarge extends AppError {
  constructor(detail: string, errors?: FieldError[], errorCount?: number) {
    super(413, 'Payload too large', detail, errors, undefined, errorCount);
  }
}

export class UnsupportedMediaType extends AppError {
  constructor(detail: string) {
    super(415, 'Unsupported media type', detail);
  }
}

export class UnprocessableContent extends AppError {
  constructor(detail: string, errors?: FieldError[]) {
    super(422, 'Unprocessable content', detail, errors);
  }
}

export class PreconditionRequired extends AppError {
  constructor(detail: string) {
    super(428, 'Precondition required', detail);
  }
}

export class ServiceUnavailable extends AppError {
  constructor(detail: string, retryAfterSeconds = 1) {
    super(503, 'Service unavailable', detail, undefined, { 'retry-after': String(retryAfterSeconds) });
  }
}
