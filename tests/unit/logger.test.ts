import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';

describe('createLogger', () => {
  it('redacts secrets from structured log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ log: { level: 'info', toolData: false } }, sink);
    logger.info(
      { apiKey: 'sk-live-123', request: { token: 'tok-456' }, req: { headers: { authorization: 'Bearer abc' } } },
      'x',
    );
    const text = lines.join('');
    expect(text).not.toMatch(/sk-live-123|tok-456|Bearer abc/);
    expect(text).toContain('[redacted]');
  });
});
