import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type { Database } from '../db/database.ts';

/**
 * LangGraph's own Postgres checkpointer on Mobilize's database, in both storage modes: PGlite
 * through `pg` (a single in-process connection) and PostgreSQL. Durable threads live in the
 * same database as the domain, so an approval days later resumes exactly where the graph paused.
 */
export async function createCheckpointer(db: Database): Promise<PostgresSaver> {
  const saver = new PostgresSaver(db.pool);
  await saver.setup();
  return saver;
}
