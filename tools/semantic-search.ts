import { z } from 'zod';
import { SemanticSearchKindSchema, SemanticSearchResultSchema } from '../src/domain/exposure-context.ts';
import { defineTool } from './define-tool.ts';

export const semanticSearch = defineTool({
  name: 'semantic_search',
  description:
    'Find advisories (by their summaries) or active exposures (by their advisory) by meaning, from a ' +
    'free-text description such as "command injection in a template engine". Returns ranked hits with a ' +
    'similarity score (1 = identical). Use search_exposures instead for exact filters.',
  kind: 'read',
  input: z.object({
    text: z.string().trim().min(1).max(1000).describe('what to look for, in words'),
    limit: z.number().int().min(1).max(50).default(10),
    kind: SemanticSearchKindSchema.default('advisories').describe('advisories, or the exposures they affect'),
  }),
  output: SemanticSearchResultSchema,
  async run({ text, limit, kind }, { reader }) {
    return reader.semanticSearch(text, { limit, kind });
  },
});
