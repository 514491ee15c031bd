import type { TicketDesk } from '../../tools/context.ts';
import type { Database } from '../db/database.ts';
import {
  appendTicketComment,
  attachExternalTicket,
  createTicket,
  findTicket,
  type StoredTicket,
  setTicketState,
} from '../db/repositories/tickets-store.ts';
import { ConfigError, NotFoundError } from '../domain/errors.ts';
import type { NewTicket } from '../domain/ticket.ts';
import type { GitHubClient } from './github.ts';
import type { JiraClient } from './jira.ts';

export type TicketDeskOptions = {
  db: Database;
  /** Mirror tickets to GitHub Issues of this repository. */
  github?: { client: GitHubClient; owner: string; repo: string };
  /** Mirror tickets to this Jira Cloud project. */
  jira?: { client: JiraClient; projectKey: string; issueType?: string };
  /** Labels put on external issues. */
  labels?: string[];
};

/** The ticket desk plus the follow-ups that mirror to the external system. */
export type ConnectedTicketDesk = TicketDesk & {
  comment(ticketId: string, body: string): Promise<void>;
  close(ticketId: string): Promise<void>;
};

/**
 * Tickets always exist as built-in rows (owner, due date, plan link); when GitHub Issues or Jira
 * is configured each is also created there once, and the row keeps its system, id and URL.
 * Comments and closing go to the external system first, then to the row.
 */
export function createTicketDesk(options: TicketDeskOptions): ConnectedTicketDesk {
  const { db, github, jira } = options;
  if (github && jira) throw new ConfigError('MOBILIZE_TICKETS', 'tickets go to one system: github or jira, not both');
  const labels = options.labels ?? ['mobilize'];

  const stored = async (id: string): Promise<StoredTicket> => {
    const ticket = await findTicket(db, id);
    if (!ticket) throw new NotFoundError('ticket', id);
    return ticket;
  };
  const notConfigured = (ticket: StoredTicket) =>
    new ConfigError('MOBILIZE_TICKETS', `ticket ${ticket.id} lives in ${ticket.system}, which is not configured`);

  return {
    async create(ticket, idempotencyKey) {
      const builtin = await createTicket(db, ticket, idempotencyKey);
      if (!github && !jira) return builtin;
      const row = await stored(builtin.id);
      if (row.externalId) return builtin;
      const body = externalBody(ticket);
      if (github) {
        const issue = await github.client.createIssue({
          owner: github.owner,
          repo: github.repo,
          title: ticket.title,
          body,
          labels,
        });
        return attachExternalTicket(db, builtin.id, {
          system: 'github',
          externalId: String(issue.number),
          url: issue.url,
        });
      }
      const issue = await jira!.client.createIssue({
        projectKey: jira!.projectKey,
        summary: ticket.title,
        description: body,
        issueType: jira!.issueType,
        dueDate: ticket.dueAt ? ticket.dueAt.toISOString().slice(0, 10) : undefined,
        labels,
      });
      return attachExternalTicket(db, builtin.id, { system: 'jira', externalId: issue.key, url: issue.url });
    },

    async comment(ticketId, body) {
      const ticket = await stored(ticketId);
      if (ticket.system === 'github' && ticket.externalId) {
        if (!github) throw notConfigured(ticket);
        await github.client.commentIssue({
          owner: github.owner,
          repo: github.repo,
          number: Number(ticket.externalId),
          body,
        });
      } else if (ticket.system === 'jira' && ticket.externalId) {
        if (!jira) throw notConfigured(ticket);
        await jira.client.comment({ key: ticket.externalId, body });
      }
      await appendTicketComment(db, ticketId, body);
    },

    async close(ticketId) {
      const ticket = await stored(ticketId);
      if (ticket.state === 'closed') return;
      if (ticket.system === 'github' && ticket.externalId) {
        if (!github) throw notConfigured(ticket);
        await github.client.closeIssue({ owner: github.owner, repo: github.repo, number: Number(ticket.externalId) });
      } else if (ticket.system === 'jira' && ticket.externalId) {
        if (!jira) throw notConfigured(ticket);
        await jira.client.close({ key: ticket.externalId });
      }
      await setTicketState(db, ticketId, 'closed');
    },
  };
}

/** The external issue's text: the body, then who owns it, by when, and what it covers. */
function externalBody(ticket: NewTicket): string {
  const facts = [
    ticket.owner ? `Owner: ${ticket.owner}` : null,
    ticket.dueAt ? `Due: ${ticket.dueAt.toISOString().slice(0, 10)}` : null,
    `Exposures: ${ticket.exposureIds.join(', ')}`,
    ticket.planId ? `Plan: ${ticket.planId}` : null,
  ].filter((line): line is string => line !== null);
  return [ticket.body.trim(), facts.join('\n'), 'Opened by Mobilize.'].filter(Boolean).join('\n\n');
}
