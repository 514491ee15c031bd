import { BuiltinTicketSchema, NewTicketSchema } from '../src/domain/ticket.ts';
import { defineTool, toolError } from './define-tool.ts';

export const createTicket = defineTool({
  name: 'create_ticket',
  description:
    'Open a ticket for the owner of one or more exposures, with a due date from the SLA and a link to the plan. ' +
    'Use when no automated fix exists or as the follow-up of a fix.',
  kind: 'action',
  effects: ['creates_ticket'],
  input: NewTicketSchema,
  output: BuiltinTicketSchema,
  async run(ticket, context) {
    if (context.dryRun) {
      return {
        id: '(dry run)',
        system: 'builtin' as const,
        title: ticket.title,
        owner: ticket.owner ?? null,
        dueAt: ticket.dueAt ?? null,
        state: 'open' as const,
        planId: ticket.planId ?? context.planId ?? null,
        url: null,
      };
    }
    if (!context.idempotencyKey) return toolError('create_ticket needs an idempotency key (set by the tool runner).');
    for (const id of ticket.exposureIds) {
      if (!(await context.reader.getExposure(id))) return toolError(`No exposure "${id}" to attach the ticket to.`);
    }
    return context.tickets.create({ ...ticket, planId: ticket.planId ?? context.planId }, context.idempotencyKey);
  },
});
