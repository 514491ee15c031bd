import type { Provenance } from '../../domain/provenance.ts';
import type { Queryable } from '../database.ts';

/** Stores one agent decision with its provenance: who decided, with which prompt, on which inputs and evidence. */
export async function recordAgentDecision(
  db: Queryable,
  decision: { provenance: Provenance; subjectType: string; subjectId: string; output: unknown; threadId?: string },
): Promise<void> {
  const p = decision.provenance;
  await db.query(
    `INSERT INTO agent_decisions (agent, subject_type, subject_id, decided_by, prompt_version, input_ids, output,
                                  evidence, created_at, thread_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      p.agent,
      decision.subjectType,
      decision.subjectId,
      p.decidedBy,
      p.promptVersion,
      p.inputIds,
      JSON.stringify(decision.output),
      JSON.stringify(p.evidence),
      p.at,
      decision.threadId ?? null,
    ],
  );
}
