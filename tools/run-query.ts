import { QueryResultSchema, QuerySpecSchema } from '../src/domain/ask.ts';
import { defineTool } from './define-tool.ts';

export const runQuery = defineTool({
  name: 'run_query',
  description:
    'Answer a question about the exposure estate with a typed query: filters (state, SSVC decision, owner or team, ' +
    'KEV, internet-facing, environment, criticality, coverage, control kind covering or not, severity, EPSS, SLA, ' +
    'package, advisory, time windows), an optional concept found by meaning in advisory summaries, and an intent: ' +
    'list (ranked rows, top N via limit), count, group (by owner, team, asset, advisory, decision ...), advisory ' +
    '(what an advisory is and where we are affected), trend (metrics now vs N days ago) or metrics. Returns the rows ' +
    'or aggregates; cite their ids.',
  kind: 'read',
  input: QuerySpecSchema,
  output: QueryResultSchema,
  async run(spec, { reader }) {
    return reader.runQuery(spec);
  },
});
