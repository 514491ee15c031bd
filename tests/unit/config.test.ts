import { describe, expect, it } from 'vitest';
import { loadConfig, redactUrl } from '../../src/config.ts';
import { ConfigError } from '../../src/domain/errors.ts';

describe('loadConfig', () => {
  it('defaults to the embedded database under MOBILIZE_HOME and the rules back-end', () => {
    const config = loadConfig({ MOBILIZE_HOME: '/tmp/mobilize-home' });
    expect(config.database).toEqual({ kind: 'embedded', dataDir: '/tmp/mobilize-home/db' });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(config.model.backend).toBe('rules');
  });

  it('uses the server when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db.internal:5432/mobilize' });
    expect(config.database).toEqual({ kind: 'server', url: 'postgres://u:p@db.internal:5432/mobilize' });
  });

  it.each([
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['DATABASE_URL', 'not a url'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['OPENAI_BASE_URL', 'ftp://models.local'],
    ['LOG_TOOL_DATA', 'maybe'],
  ])('rejects %s=%s with an error naming the variable', (variable, value) => {
    const attempt = () => loadConfig({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^${variable}: `));
  });

  it('picks the llm back-end only when a model and an endpoint or key are configured', () => {
    expect(loadConfig({ MOBILIZE_MODEL: 'gpt-4.1-mini' }).model.backend).toBe('rules');
    const config = loadConfig({ MOBILIZE_MODEL: 'qwen3', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' });
    expect(config.model).toMatchObject({ backend: 'llm', chatModel: 'qwen3', baseUrl: 'http://127.0.0.1:11434/v1' });
  });

  it('refuses MOBILIZE_BACKEND=llm without a model', () => {
    expect(() => loadConfig({ MOBILIZE_BACKEND: 'llm' })).toThrow(/^MOBILIZE_BACKEND: /);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).database.kind).toBe('embedded');
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://admin:s3cret@db:5432/m')).toBe('postgres://admin:***@db:5432/m');
  });
});
