import { UpstreamError } from '../domain/errors.ts';

/** One outbound HTTP call of a connector. */
export type HttpRequest = {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  /** Every external call has one: the call is aborted after it. */
  timeoutMs: number;
  /** What the call is for, as errors name it: e.g. 'GitHub create pull request'. */
  what: string;
  /** More strings to scrub from error messages (a webhook URL is itself a secret). */
  secrets?: readonly string[];
};

/**
 * The upstream answered with a status outside 2xx. Keeps the status (and only the host) so a
 * connector can branch on it, e.g. GitHub's 422 for a pull request that already exists.
 */
export class UpstreamHttpError extends UpstreamError {
  readonly upstreamStatus: number;
  readonly host: string;
  constructor(message: string, details: { status: number; host: string }) {
    super(message);
    this.upstreamStatus = details.status;
    this.host = details.host;
  }
}

const MAX_UPSTREAM_MESSAGE = 200;

/**
 * Sends a request and returns the raw answer text. Non-2xx, timeouts and network failures become
 * UpstreamError naming `what`, the host and the status; the URL path, the query and every
 * Authorization header value stay out of the message (they can carry secrets).
 */
export async function requestText(request: HttpRequest): Promise<{ status: number; text: string }> {
  const host = hostOf(request);
  const secrets = secretsOf(request);
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.body !== undefined) headers['content-type'] ??= 'application/json';
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw new UpstreamError(`${request.what}: ${host} did not answer within ${request.timeoutMs} ms`);
    }
    // The cause of a failed fetch names the address and the system error, never the path.
    const cause = error instanceof Error ? error.cause : undefined;
    throw new UpstreamError(`${request.what}: could not reach ${host}`, cause);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new UpstreamError(
      timedOut
        ? `${request.what}: ${host} did not answer within ${request.timeoutMs} ms`
        : `${request.what}: ${host} broke off its answer`,
    );
  }
  if (response.status < 200 || response.status > 299) {
    const detail = scrub(upstreamMessage(text), secrets);
    throw new UpstreamHttpError(`${request.what}: ${host} answered ${response.status}${detail ? `: ${detail}` : ''}`, {
      status: response.status,
      host,
    });
  }
  return { status: response.status, text };
}

/**
 * Sends a request and parses the JSON answer (null for 204 or an empty body). Errors as
 * {@link requestText}; an answer that is not JSON is an UpstreamError too.
 */
export async function requestJson(request: HttpRequest): Promise<unknown> {
  const { status, text } = await requestText(request);
  if (status === 204 || text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError(`${request.what}: ${hostOf(request)} answered ${status} with a body that is not JSON`);
  }
}

function hostOf(request: HttpRequest): string {
  try {
    return new URL(request.url).host;
  } catch {
    // No cause: URL errors quote their input, which may be a secret webhook.
    throw new UpstreamError(`${request.what}: the configured URL is not a valid URL`);
  }
}

function secretsOf(request: HttpRequest): string[] {
  const secrets = [...(request.secrets ?? [])];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (name.toLowerCase() !== 'authorization') continue;
    secrets.push(value);
    const credential = value.split(' ')[1];
    if (credential) {
      secrets.push(credential);
      // Basic credentials: the decoded `user:token` and the token alone.
      const decoded = Buffer.from(credential, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0 && /^[\x20-\x7e]+$/.test(decoded)) secrets.push(decoded, decoded.slice(colon + 1));
    }
  }
  return secrets.filter((secret) => secret.length >= 6);
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out;
}

/** A short, single-line message from an error answer: GitHub, Jira and Slack shapes, or the text itself. */
function upstreamMessage(text: string): string {
  let message = text;
  try {
    const json: unknown = JSON.parse(text);
    message = messageFromJson(json) ?? text;
  } catch {
    // Not JSON: HTML error pages are reduced to their text below.
  }
  const line = message
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > MAX_UPSTREAM_MESSAGE ? `${line.slice(0, MAX_UPSTREAM_MESSAGE)}…` : line;
}

function messageFromJson(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const value = json as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof value.message === 'string') parts.push(value.message);
  if (typeof value.error === 'string') parts.push(value.error);
  if (Array.isArray(value.errorMessages)) parts.push(...value.errorMessages.filter((m) => typeof m === 'string'));
  if (Array.isArray(value.errors)) {
    for (const error of value.errors) {
      if (typeof error === 'string') parts.push(error);
      else if (typeof error === 'object' && error && typeof (error as { message?: unknown }).message === 'string') {
        parts.push((error as { message: string }).message);
      }
    }
  } else if (typeof value.errors === 'object' && value.errors !== null) {
    for (const [field, message] of Object.entries(value.errors)) {
      if (typeof message === 'string') parts.push(`${field}: ${message}`);
    }
  }
  return parts.length ? parts.join('; ') : undefined;
}
