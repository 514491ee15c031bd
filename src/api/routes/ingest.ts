import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import type { FormatRegistry } from '../../ingest/registry.ts';
import { ingestInput } from '../../services/ingest/ingest-input.ts';
import { bufferInput } from '../../services/ingest/sources.ts';

const IngestQuerySchema = z.object({
  format: z.string().min(1).optional().describe('skip detection and read the body as this format'),
  name: z.string().min(1).max(500).default('upload').describe('file name, used for detection and in messages'),
  asset: z.string().min(1).optional().describe('attribute every finding to this asset id'),
  scope: z.string().min(1).optional().describe('the scope this report covers'),
  fullScan: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('the report is a complete scan of scope: close open findings it no longer contains'),
});

export const IngestSummarySchema = z.object({
  file: z.string(),
  format: z.string(),
  records: z.number().int(),
  findings: z.number().int(),
  new: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  exposures: z.number().int(),
  suppressed: z.number().int(),
  fixed: z.number().int(),
  advisories: z.number().int(),
  kev: z.number().int(),
  epss: z.number().int(),
  assets: z.number().int(),
  controls: z.number().int(),
  warnings: z.array(z.string()),
});

const ErrorSchema = z.object({ code: z.string(), message: z.string() });

/** POST /v1/ingest: one report, feed or inventory as the raw request body, in one transaction. */
export function ingestRoutes(deps: {
  db: Database;
  formats: FormatRegistry;
  maxBodyBytes: number;
}): FastifyPluginAsyncZod {
  return async (app) => {
    // Raw bytes for every content type in this plugin only: the parsers do their own decoding.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_request, body, done) =>
      done(null, body),
    );
    app.post(
      '/v1/ingest',
      {
        config: { role: 'analyst' },
        schema: {
          summary: 'Ingest a scanner report, advisory feed or inventory (analyst role)',
          description:
            'The body is the file itself (any content type); its format is detected unless ?format= is given.',
          tags: ['ingest'],
          querystring: IngestQuerySchema,
          response: { 200: IngestSummarySchema, 400: ErrorSchema, 413: ErrorSchema },
        },
      },
      async (request) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const query = request.query;
        const input = bufferInput(query.name, body);
        const format = query.format ? deps.formats.get(query.format) : deps.formats.detect(input.head, query.name);
        return ingestInput(deps.db, format, input, {
          assetId: query.asset,
          scope: query.scope,
          fullScan: query.fullScan,
        });
      },
    );
  };
}
