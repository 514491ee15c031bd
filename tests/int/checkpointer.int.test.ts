import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { Annotation, Command, END, interrupt, START, StateGraph } from '@langchain/langgraph';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { openEmbedded } from '../../src/db/open.ts';
import { createCheckpointer } from '../../src/graph/checkpointer.ts';
import { databaseBackends } from '../helpers/databases.ts';

const State = Annotation.Root({
  steps: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  decision: Annotation<string | undefined>(),
});

/** plan -> await approval (interrupt) -> execute: the shape of Mobilize's approval pause. */
function approvalGraph(checkpointer: BaseCheckpointSaver) {
  return new StateGraph(State)
    .addNode('plan', () => ({ steps: ['planned'] }))
    .addNode('await_approval', () => {
      const decision = interrupt({ question: 'approve?' }) as string;
      return { steps: ['decided'], decision };
    })
    .addNode('execute', () => ({ steps: ['executed'] }))
    .addEdge(START, 'plan')
    .addEdge('plan', 'await_approval')
    .addEdge('await_approval', 'execute')
    .addEdge('execute', END)
    .compile({ checkpointer });
}

describe.each(databaseBackends())('LangGraph Postgres checkpointer on $name', (backend) => {
  const opened: Database[] = [];
  afterAll(async () => {
    for (const db of opened) await db.close();
  });

  it('pauses at an interrupt and resumes from a new checkpointer instance', async () => {
    const db = await backend.open();
    opened.push(db);
    const config = { configurable: { thread_id: 'exposure-1' } };
    // Given a run paused for approval
    const first = approvalGraph(await createCheckpointer(db));
    await first.invoke({}, config);
    expect((await first.getState(config)).next).toEqual(['await_approval']);
    // When a different saver (as on another worker) resumes it with a decision
    const second = approvalGraph(await createCheckpointer(db));
    const result = await second.invoke(new Command({ resume: 'approved' }), config);
    // Then it continues exactly where it paused
    expect(result).toEqual({ steps: ['planned', 'decided', 'executed'], decision: 'approved' });
  });
});

describe('LangGraph checkpoints on embedded PGlite survive a restart', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-ckpt-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('resumes a thread after the database is closed and reopened', async () => {
    const config = { configurable: { thread_id: 'exposure-restart' } };
    // Given a paused run in an on-disk PGlite database that is then closed
    const before = await openEmbedded(dir);
    await runMigrations(before);
    await approvalGraph(await createCheckpointer(before)).invoke({}, config);
    await before.close();
    // When the database is opened again (a new process would do the same)
    const after = await openEmbedded(dir);
    try {
      const graph = approvalGraph(await createCheckpointer(after));
      expect((await graph.getState(config)).next).toEqual(['await_approval']);
      const result = await graph.invoke(new Command({ resume: 'rejected' }), config);
      // Then the thread resumes from its checkpoint
      expect(result.decision).toBe('rejected');
      expect(result.steps).toEqual(['planned', 'decided', 'executed']);
    } finally {
      await after.close();
    }
  });
});
