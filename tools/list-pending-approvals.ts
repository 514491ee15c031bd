import { z } from 'zod';
import { PlanRecordSchema } from '../src/domain/plan.ts';
import { defineTool } from './define-tool.ts';

export const listPendingApprovals = defineTool({
  name: 'list_pending_approvals',
  description:
    'List remediation plans waiting for a human approval, oldest first, with why the policy gate ' +
    'held them, their steps, evidence, risk and diff. Read-only: deciding is a separate, privileged act.',
  kind: 'read',
  input: z.object({ limit: z.number().int().min(1).max(100).default(20) }),
  output: z.object({ plans: z.array(PlanRecordSchema) }),
  async run({ limit }, { reader }) {
    return { plans: await reader.pendingPlans(limit) };
  },
});
