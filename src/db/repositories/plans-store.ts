import { type PlanRecord, PlanRecordSchema, type PlanState } from '../../domain/plan.ts';
import type { Queryable } from '../database.ts';

/** Saves a plan with its steps and exposures; saving the same plan id again replaces its draft. */
export async function savePlan(
  tx: Queryable,
  plan: Omit<PlanRecord, 'createdAt' | 'updatedAt' | 'decision'>,
): Promise<void> {
  await tx.query(
    `INSERT INTO plans (id, thread_id, group_key, kind, title, rationale, state, routine, policy_decision, confidence,
                        requested_by, decided_by, prompt_version, evidence, diff, risk, replan_count, supersedes,
                        approval_expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
     ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title, rationale = EXCLUDED.rationale,
       state = EXCLUDED.state, routine = EXCLUDED.routine, policy_decision = EXCLUDED.policy_decision,
       confidence = EXCLUDED.confidence, decided_by = EXCLUDED.decided_by, prompt_version = EXCLUDED.prompt_version,
       evidence = EXCLUDED.evidence, diff = EXCLUDED.diff, risk = EXCLUDED.risk,
       approval_expires_at = EXCLUDED.approval_expires_at, updated_at = now()
     WHERE plans.state IN ('draft', 'awaiting_approval')`,
    [
      plan.id,
      plan.threadId,
      plan.groupKey,
      plan.kind,
      plan.title,
      plan.rationale ?? null,
      plan.state,
      plan.routine,
      JSON.stringify(plan.policyDecision),
      plan.confidence ?? null,
      plan.requestedBy,
      plan.decidedBy,
      plan.promptVersion ?? null,
      JSON.stringify(plan.evidence),
      plan.diff,
      JSON.stringify(plan.risk),
      plan.replanCount,
      plan.supersedes,
      plan.approvalExpiresAt,
    ],
  );
  await tx.query('DELETE FROM plan_steps WHERE plan_id = $1', [plan.id]);
  for (const step of plan.steps) {
    await tx.query(
      `INSERT INTO plan_steps (id, plan_id, ordinal, tool, args, preconditions, idempotency_key, rollback, verification)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        step.id,
        plan.id,
        step.ordinal,
        step.tool,
        JSON.stringify(step.args),
        JSON.stringify(step.preconditions),
        step.idempotencyKey,
        step.rollback ? JSON.stringify(step.rollback) : null,
        step.verification ? JSON.stringify(step.verification) : null,
      ],
    );
  }
  await tx.query(
    `INSERT INTO plan_exposures (plan_id, exposure_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
    [plan.id, plan.exposureIds],
  );
}

export async function setPlanState(tx: Queryable, planId: string, state: PlanState): Promise<void> {
  await tx.query('UPDATE plans SET state = $2, updated_at = now() WHERE id = $1', [planId, state]);
}

export async function setStepState(tx: Queryable, stepId: string, state: string): Promise<void> {
  await tx.query('UPDATE plan_steps SET state = $2 WHERE id = $1', [stepId, state]);
}

const SELECT = `SELECT p.id, p.kind, p.title, p.rationale, p.state, p.routine, p.requested_by AS "requestedBy",
       p.decided_by AS "decidedBy", p.prompt_version AS "promptVersion", p.confidence, p.thread_id AS "threadId",
       p.group_key AS "groupKey", p.policy_decision AS "policyDecision", p.evidence, p.risk, p.diff,
       p.replan_count AS "replanCount", p.supersedes, p.approval_expires_at AS "approvalExpiresAt",
       p.created_at AS "createdAt", p.updated_at AS "updatedAt",
       ARRAY(SELECT exposure_id FROM plan_exposures pe WHERE pe.plan_id = p.id ORDER BY exposure_id) AS "exposureIds",
       coalesce((SELECT json_agg(json_build_object('id', s.id, 'ordinal', s.ordinal, 'tool', s.tool, 'args', s.args,
                   'preconditions', s.preconditions, 'idempotencyKey', s.idempotency_key, 'rollback', s.rollback,
                   'verification', s.verification) ORDER BY s.ordinal)
                   FROM plan_steps s WHERE s.plan_id = p.id), '[]') AS steps,
       (SELECT json_build_object('decision', a.decision, 'decidedBy', a.decided_by, 'note', a.note,
                                 'decidedAt', a.decided_at, 'acceptRiskUntil', a.accept_risk_until)
          FROM approvals a WHERE a.plan_id = p.id) AS decision
  FROM plans p`;

function toRecord(row: Record<string, unknown>): PlanRecord {
  return PlanRecordSchema.parse({ ...row, confidence: row.confidence === null ? null : Number(row.confidence) });
}

export async function getPlan(db: Queryable, id: string): Promise<PlanRecord | null> {
  const result = await db.query(`${SELECT} WHERE p.id = $1`, [id]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export type PlanListFilter = { status?: 'pending' | PlanState | 'all'; limit?: number };

/** Plans for the approval inbox; `pending` = awaiting approval, oldest first. */
export async function listPlans(db: Queryable, filter: PlanListFilter = {}): Promise<PlanRecord[]> {
  const status = filter.status ?? 'pending';
  const state = status === 'pending' ? 'awaiting_approval' : status;
  const result = await db.query(
    `${SELECT} WHERE ($1::text = 'all' OR p.state = $1) ORDER BY p.created_at, p.id LIMIT $2`,
    [state, filter.limit ?? 100],
  );
  return result.rows.map(toRecord);
}

/** Records a decision once; returns the stored decision (the earlier one when the plan was already decided). */
export async function insertApproval(
  tx: Queryable,
  approval: {
    id: string;
    planId: string;
    decision: 'approved' | 'rejected' | 'changes_requested';
    decidedBy: string;
    note: string | null;
    acceptRiskUntil: Date | null;
  },
): Promise<{ inserted: boolean }> {
  const result = await tx.query(
    `INSERT INTO approvals (id, plan_id, decision, decided_by, note, accept_risk_until)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (plan_id) DO NOTHING`,
    [approval.id, approval.planId, approval.decision, approval.decidedBy, approval.note, approval.acceptRiskUntil],
  );
  return { inserted: result.rowCount > 0 };
}
