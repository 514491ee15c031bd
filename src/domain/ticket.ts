import { z } from 'zod';

/** A ticket to create for an owner: what to do, by when, and which plan it belongs to. */
export const NewTicketSchema = z.object({
  title: z.string().min(1).max(300),
  body: z.string().max(20_000).default(''),
  owner: z.string().min(1).nullish(),
  dueAt: z.coerce.date().nullish(),
  exposureIds: z.array(z.string().min(1)).min(1),
  planId: z.string().min(1).nullish(),
});
export type NewTicket = z.infer<typeof NewTicketSchema>;

export const BuiltinTicketSchema = z.object({
  id: z.string(),
  system: z.enum(['builtin', 'github', 'jira']),
  title: z.string(),
  owner: z.string().nullable(),
  dueAt: z.coerce.date().nullable(),
  state: z.enum(['open', 'closed']),
  planId: z.string().nullable(),
  url: z.string().nullable(),
});
export type BuiltinTicket = z.infer<typeof BuiltinTicketSchema>;
