import { citationsOf, composeText } from '../../src/ask/answer.ts';
import { EXAMPLE_QUESTIONS, parseQuestion } from '../../src/ask/parse.ts';
import type { AnalystAnswer } from '../../src/domain/ask.ts';
import { QueryResultSchema } from '../../src/domain/ask.ts';
import type { AgentContext } from '../define-agent.ts';

/**
 * The rules back-end: the deterministic parser turns the question into a typed query, the query
 * runs through the `run_query` tool, and the text is composed from the result alone.
 */
export async function answerWithRules(question: string, context: AgentContext): Promise<AnalystAnswer> {
  const parsed = parseQuestion(question, await context.tools.reader.vocabulary());
  if (!parsed.understood) {
    return {
      understood: false,
      text: `I cannot answer that yet: ${parsed.reason}. I answer questions about exposures, owners, coverage, SLAs, advisories and trends, for example:\n${EXAMPLE_QUESTIONS.map((q) => `- ${q}`).join('\n')}`,
      query: null,
      citations: { exposures: [], assets: [], advisories: [] },
      ignored: parsed.ignored,
    };
  }
  const result = QueryResultSchema.parse(await context.call('run_query', parsed.spec));
  const ignored = parsed.ignored.length ? `\n(Not used from the question: ${parsed.ignored.join(' ')}.)` : '';
  return {
    understood: true,
    text: composeText(parsed.spec, result) + ignored,
    query: parsed.spec,
    citations: citationsOf(result),
    ignored: parsed.ignored,
  };
}
