import pino from 'pino';
import type { Config } from './config.ts';

/** Paths whose values are secrets: they are replaced before a log line is written. */
export const REDACTED_PATHS = [
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'config.model.apiKey',
  'config.database.url',
  'databaseUrl',
  'config.connectors',
  '*.apiToken',
  '*.webhookUrl',
  '*.slackWebhookUrl',
];

/** Structured JSON logs on stderr (stdout is kept for command output). */
export function createLogger(config: Pick<Config, 'log'>, destination: pino.DestinationStream = pino.destination(2)) {
  return pino(
    {
      level: config.log.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'mobilize' },
    },
    destination,
  );
}

export type Logger = ReturnType<typeof createLogger>;
