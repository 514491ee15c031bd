/**
 * Service errors. Every error a caller can see carries a stable SCREAMING_SNAKE `code`
 * and an HTTP-style `status`, so adapters (CLI, HTTP, MCP) never branch on message text.
 */
export class ServiceError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
  }
}

/** Our own configuration is wrong (an environment variable, a policy file). */
export class ConfigError extends ServiceError {
  readonly variable: string;
  constructor(variable: string, message: string, cause?: unknown) {
    super('CONFIG_INVALID', `${variable}: ${message}`, { status: 500, cause });
    this.variable = variable;
  }
}

/** The database cannot be reached or opened. */
export class DatabaseUnavailableError extends ServiceError {
  constructor(message: string, cause?: unknown) {
    super('DATABASE_UNAVAILABLE', message, { status: 503, cause });
  }
}

/** A migration file changed after it was applied, or a migration failed. */
export class MigrationError extends ServiceError {
  constructor(message: string, cause?: unknown) {
    super('MIGRATION_FAILED', message, { status: 500, cause });
  }
}

/** The caller sent something we cannot accept. */
export class ValidationError extends ServiceError {
  constructor(message: string, cause?: unknown) {
    super('VALIDATION_FAILED', message, { status: 400, cause });
  }
}

/** A requested entity does not exist. */
export class NotFoundError extends ServiceError {
  constructor(entity: string, id: string) {
    super('NOT_FOUND', `${entity} "${id}" not found`, { status: 404 });
  }
}

/** A scanner, feed or remote API answered badly or not at all. */
export class UpstreamError extends ServiceError {
  constructor(message: string, cause?: unknown) {
    super('UPSTREAM_FAILED', message, { status: 502, cause });
  }
}

/** A model's output failed its schema or a validator. */
export class ModelBehaviorError extends ServiceError {
  constructor(message: string, cause?: unknown) {
    super('MODEL_BEHAVIOR', message, { status: 502, cause });
  }
}

/** One line describing any error, for CLI output and logs: no stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof ServiceError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * A file could not be ingested. Names the format, the file and where in it (a JSON pointer,
 * a CSV line or a byte offset) and what was expected there. Nothing of that file is kept.
 */
export class IngestError extends ServiceError {
  readonly format: string;
  readonly file: string;
  readonly pointer: string | undefined;

  constructor(details: { format: string; file: string; pointer?: string; message: string; cause?: unknown }) {
    const where = details.pointer ? ` at ${details.pointer}` : '';
    super('INGEST_INVALID', `${details.file} (${details.format})${where}: ${details.message}`, {
      status: 400,
      cause: details.cause,
    });
    this.format = details.format;
    this.file = details.file;
    this.pointer = details.pointer;
  }
}

/** No registered format recognizes the input, or the format asked for does not exist. */
export class UnsupportedFormatError extends ServiceError {
  readonly file: string;
  constructor(file: string, message: string) {
    super('UNSUPPORTED_FORMAT', `${file}: ${message}`, { status: 400 });
    this.file = file;
  }
}

/** The input is larger than the configured limit. */
export class PayloadTooLargeError extends ServiceError {
  constructor(what: string, limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `${what} exceeds the limit of ${limitBytes} bytes`, { status: 413 });
  }
}

/** The request conflicts with the current state (a plan already decided differently, an expired approval). */
export class ConflictError extends ServiceError {
  constructor(code: string, message: string) {
    super(code, message, { status: 409 });
  }
}

/** The caller is authenticated but may not do this (e.g. approve a plan it requested). */
export class ForbiddenError extends ServiceError {
  constructor(code: string, message: string) {
    super(code, message, { status: 403 });
  }
}
