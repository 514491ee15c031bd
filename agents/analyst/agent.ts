import { z } from 'zod';
import { buildRequest, loadPrompt } from '../../prompts/index.ts';
import { AnalystAnswerSchema } from '../../src/domain/ask.ts';
import { getAdvisory, runQuery, semanticSearch } from '../../tools/index.ts';
import { defineAgent } from '../define-agent.ts';
import { answerWithRules } from './rules.ts';
import { validateAnswer } from './validate.ts';

/** Longest question accepted: a question, not a document. */
export const MAX_QUESTION_CHARS = 1000;

/**
 * The analyst: a plain-language question becomes a typed query (never SQL), run through the
 * read-only `run_query` tool; the answer cites only ids of the query's result.
 */
export const analyst = defineAgent({
  name: 'analyst',
  prompt: loadPrompt('analyst'),
  input: z.object({ question: z.string().trim().min(1).max(MAX_QUESTION_CHARS) }),
  output: AnalystAnswerSchema,
  tools: [runQuery, semanticSearch, getAdvisory],
  request: ({ question }) =>
    buildRequest(
      'Answer the analyst question below: call run_query with a typed query (and semantic_search or get_advisory ' +
        'if useful), then answer with the JSON object, citing only ids from the query result.',
      { question },
    ),
  maxSteps: 5,
  rules: ({ question }, context) => answerWithRules(question, context),
  validate: (answer, _input, context) => validateAnswer(answer, context),
  inputIds: () => [],
});
