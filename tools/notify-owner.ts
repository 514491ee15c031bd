import { z } from 'zod';
import { defineTool, toolError } from './define-tool.ts';

export const NotifyOwnerInputSchema = z.object({
  text: z
    .string()
    .min(1)
    .max(3000)
    .describe('the message: what is exposed, what was done or is needed, by when, and the plan or ticket link'),
  exposureIds: z.array(z.string().min(1)).min(1).max(50).describe('the exposures the message is about'),
});
export type NotifyOwnerInput = z.infer<typeof NotifyOwnerInputSchema>;

export const NotifyOwnerOutputSchema = z.object({
  system: z.enum(['slack', 'none']).describe('where the message went; none = no channel configured'),
  delivered: z.boolean(),
});
export type NotifyOwnerOutput = z.infer<typeof NotifyOwnerOutputSchema>;

export const notifyOwner = defineTool({
  name: 'notify_owner',
  description:
    'Send a short message to the owners of exposures (Slack when configured). Use to tell people about a ' +
    'change request, a ticket or a temporary mitigation. delivered=false means no channel is configured.',
  kind: 'action',
  effects: ['notifies'],
  input: NotifyOwnerInputSchema,
  output: NotifyOwnerOutputSchema,
  async run({ text, exposureIds }, context) {
    for (const id of exposureIds) {
      if (!(await context.reader.getExposure(id))) return toolError(`No exposure "${id}". Ids come from get_exposure.`);
    }
    if (context.dryRun) return { system: 'none' as const, delivered: false };
    if (!context.idempotencyKey) return toolError('notify_owner needs an idempotency key (set by the tool runner).');
    return context.notifier.notify({ text, idempotencyKey: context.idempotencyKey });
  },
});
