import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_QUESTION_CHARS } from '../../../agents/analyst/agent.ts';
import type { AskService } from '../../ask/service.ts';
import { AskAnswerSchema } from '../../domain/ask.ts';

/** Natural-language risk questions: a typed query runs, never SQL; the answer cites its rows. */
export function askRoutes(deps: { ask: AskService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/ask',
      {
        config: { role: 'viewer' },
        schema: {
          tags: ['ask'],
          summary: 'Ask a question about the exposure estate in plain language',
          description:
            'The answer has a short text, the structured result, the typed query it ran and citations ' +
            '(exposure, asset and advisory ids). A question that cannot be mapped is answered with understood=false ' +
            'and examples of questions that can.',
          body: z.object({ question: z.string().trim().min(1).max(MAX_QUESTION_CHARS) }),
          response: { 200: AskAnswerSchema },
        },
      },
      async (request) => deps.ask.ask(request.body.question, { actor: `user:${request.token!.name}` }),
    );
  };
}
