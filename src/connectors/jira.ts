import { z } from 'zod';
import { UpstreamError } from '../domain/errors.ts';
import { requestJson } from './http.ts';

export type JiraClientOptions = {
  /** `https://<site>.atlassian.net` */
  baseUrl: string;
  email: string;
  apiToken: string;
  timeoutMs: number;
};

export type JiraIssue = { key: string; id: string; url: string };

/** The few Jira Cloud REST v3 calls Mobilize makes: create, comment, close (a workflow transition). */
export type JiraClient = {
  createIssue(request: {
    projectKey: string;
    summary: string;
    /** Plain text; sent as Atlassian Document Format paragraphs. */
    description: string;
    issueType?: string;
    /** YYYY-MM-DD */
    dueDate?: string;
    labels?: string[];
  }): Promise<JiraIssue>;
  comment(request: { key: string; body: string }): Promise<void>;
  /** Applies the named transition, or the first whose name says done, closed or resolved. */
  close(request: { key: string; transition?: string }): Promise<void>;
};

/** Atlassian Document Format, the rich-text JSON Jira Cloud v3 wants for descriptions and comments. */
export type AdfDocument = {
  type: 'doc';
  version: 1;
  content: { type: 'paragraph'; content: ({ type: 'text'; text: string } | { type: 'hardBreak' })[] }[];
};

const CreatedSchema = z.object({ id: z.string(), key: z.string() });
const TransitionsSchema = z.object({
  transitions: z.array(z.object({ id: z.string(), name: z.string() })),
});
const CLOSING = /done|closed|resolve/i;

/**
 * A Jira Cloud REST v3 client over fetch with basic auth (account email and API token). The
 * credentials go only into the Authorization header; errors never quote them.
 */
export function createJiraClient(options: JiraClientOptions): JiraClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers = {
    authorization: `Basic ${Buffer.from(`${options.email}:${options.apiToken}`).toString('base64')}`,
    accept: 'application/json',
  };
  const issuePath = (key: string) => `${baseUrl}/rest/api/3/issue/${encodeURIComponent(key)}`;
  const call = (method: 'GET' | 'POST', url: string, what: string, body?: unknown) =>
    requestJson({ method, url, headers, body, timeoutMs: options.timeoutMs, what: `Jira ${what}` });

  return {
    async createIssue(request) {
      const fields = {
        project: { key: request.projectKey },
        summary: request.summary,
        description: toAdf(request.description),
        issuetype: { name: request.issueType ?? 'Task' },
        ...(request.dueDate ? { duedate: request.dueDate } : {}),
        ...(request.labels?.length ? { labels: request.labels } : {}),
      };
      const answer = await call('POST', `${baseUrl}/rest/api/3/issue`, 'create issue', { fields });
      const created = CreatedSchema.safeParse(answer);
      if (!created.success) throw new UpstreamError('Jira create issue: unexpected answer (no id and key)');
      return { ...created.data, url: `${baseUrl}/browse/${encodeURIComponent(created.data.key)}` };
    },
    async comment({ key, body }) {
      await call('POST', `${issuePath(key)}/comment`, 'comment issue', { body: toAdf(body) });
    },
    async close({ key, transition }) {
      const answer = await call('GET', `${issuePath(key)}/transitions`, 'list transitions');
      const listed = TransitionsSchema.safeParse(answer);
      if (!listed.success) throw new UpstreamError('Jira list transitions: unexpected answer (no transitions)');
      const { transitions } = listed.data;
      const chosen = transition
        ? transitions.find((t) => t.name.toLowerCase() === transition.toLowerCase())
        : transitions.find((t) => CLOSING.test(t.name));
      if (!chosen) {
        const wanted = transition ? `"${transition}"` : 'done, closed or resolve';
        const available = transitions.map((t) => t.name).join(', ') || 'none';
        throw new UpstreamError(`Jira close issue: ${key} has no transition ${wanted} (available: ${available})`);
      }
      await call('POST', `${issuePath(key)}/transitions`, 'close issue', { transition: { id: chosen.id } });
    },
  };
}

/** Plain text to ADF: blank lines separate paragraphs, single newlines become hard breaks. */
export function toAdf(text: string): AdfDocument {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => block.replace(/^\n+|\n+$/g, ''))
    .filter((block) => block.trim() !== '');
  const content = paragraphs.map((block) => ({
    type: 'paragraph' as const,
    content: block.split('\n').flatMap((line, i): AdfDocument['content'][number]['content'] => [
      ...(i > 0 ? [{ type: 'hardBreak' as const }] : []),
      // ADF refuses empty text nodes.
      ...(line ? [{ type: 'text' as const, text: line }] : []),
    ]),
  }));
  return { type: 'doc', version: 1, content: content.length ? content : [{ type: 'paragraph', content: [] }] };
}
