import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './domain/errors.ts';

/**
 * The only reader of process.env. Every variable is validated here at start, so a bad
 * value fails the boot with one line that names the variable instead of failing later.
 */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = z
  .string()
  .url('expected an http(s) URL')
  .refine((v) => /^https?:\/\//.test(v), 'expected an http(s) URL');

const postgresUrl = z.string().refine((v) => {
  try {
    const url = new URL(v);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'expected a URL like postgres://user:password@host:5432/database');

const port = z.coerce
  .number({ message: 'expected a port number' })
  .int('expected an integer port')
  .min(0, 'expected a port between 0 and 65535')
  .max(65535, 'expected a port between 0 and 65535');

const positiveInt = z.coerce.number({ message: 'expected a positive integer' }).int().positive();

/** Environment variables, their defaults and their meaning (the README table mirrors this). */
export const EnvSchema = z.object({
  DATABASE_URL: postgresUrl.optional().describe('PostgreSQL 15+ with pgvector; unset = embedded PGlite'),
  MOBILIZE_HOME: z.string().min(1).default('.mobilize').describe('data folder (embedded database under db/)'),
  HOST: z.string().min(1).default('127.0.0.1').describe('address the HTTP server binds'),
  PORT: port.default(8080).describe('HTTP port (0 = any free port)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_TOOL_DATA: booleanFlag.default(false).describe('log tool inputs/outputs (off: they may hold sensitive data)'),
  OPENAI_BASE_URL: httpUrl.optional().describe('OpenAI-compatible endpoint; enables the llm back-end'),
  OPENAI_API_KEY: z.string().min(1).optional().describe('API key for OPENAI_BASE_URL'),
  MOBILIZE_MODEL: z.string().min(1).optional().describe('chat model id for the llm back-end'),
  MOBILIZE_EMBEDDING_MODEL: z
    .string()
    .min(1)
    .optional()
    .describe('embedding model id; unset = local lexical embedding'),
  MOBILIZE_BACKEND: z.enum(['auto', 'rules', 'llm']).default('auto').describe('reasoning back-end'),
  MOBILIZE_DB_TIMEOUT_MS: positiveInt.default(5000).describe('database connect timeout'),
  MOBILIZE_HTTP_TIMEOUT_MS: positiveInt.default(30000).describe('timeout of every outbound HTTP call'),
  MOBILIZE_MAX_BODY_BYTES: positiveInt.default(256 * 1024 * 1024).describe('largest accepted request body'),
  MOBILIZE_POLICY: z.string().min(1).optional().describe('policy YAML file; unset = policy/default.yaml'),
  MOBILIZE_MCP_ORIGINS: z
    .string()
    .min(1)
    .optional()
    .describe('comma-separated browser origins allowed to call /mcp (requests without Origin are allowed)'),
  GITHUB_TOKEN: z.string().min(1).optional().describe('GitHub token: change requests become pull requests'),
  MOBILIZE_GITHUB_API_URL: httpUrl.optional().describe('GitHub REST API (GitHub Enterprise: https://host/api/v3)'),
  MOBILIZE_GITHUB_HOSTS: z.string().min(1).optional().describe('comma-separated GitHub Enterprise host names'),
  MOBILIZE_TICKETS: z.enum(['builtin', 'github', 'jira']).default('builtin').describe('where tickets are mirrored'),
  MOBILIZE_GITHUB_ISSUES_REPO: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected owner/repo')
    .optional()
    .describe('GitHub Issues repository for tickets'),
  JIRA_BASE_URL: httpUrl.optional().describe('Jira Cloud site, e.g. https://acme.atlassian.net'),
  JIRA_EMAIL: z.string().min(1).optional().describe('Jira account e-mail'),
  JIRA_API_TOKEN: z.string().min(1).optional().describe('Jira API token'),
  JIRA_PROJECT_KEY: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]+$/, 'expected a Jira project key')
    .optional(),
  SLACK_WEBHOOK_URL: httpUrl.optional().describe('Slack incoming webhook for notifications'),
});

export type Env = z.infer<typeof EnvSchema>;

export type Config = {
  database: { kind: 'embedded'; dataDir: string } | { kind: 'server'; url: string };
  home: string;
  server: { host: string; port: number; maxBodyBytes: number; mcpAllowedOrigins: string[] };
  log: { level: Env['LOG_LEVEL']; toolData: boolean };
  model: {
    backend: 'rules' | 'llm';
    baseUrl?: string;
    apiKey?: string;
    chatModel?: string;
    embeddingModel?: string;
  };
  timeouts: { dbMs: number; httpMs: number };
  /** Forge, ticket and notification connectors (secrets never logged). */
  connectors: {
    github?: { token: string; apiUrl?: string; hosts?: string[] };
    tickets: 'builtin' | 'github' | 'jira';
    githubIssuesRepo?: string;
    jira?: { baseUrl: string; email: string; apiToken: string; projectKey: string };
    slackWebhookUrl?: string;
  };
  /** Policy file path; undefined = the shipped default. */
  policyFile?: string;
};

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked = Object.fromEntries(
    Object.keys(EnvSchema.shape)
      .map((key) => [key, env[key]])
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(variable, issue?.message ?? 'invalid value');
  }
  const e = parsed.data;
  const modelConfigured = Boolean(e.OPENAI_BASE_URL || e.OPENAI_API_KEY) && Boolean(e.MOBILIZE_MODEL);
  if (e.MOBILIZE_BACKEND === 'llm' && !modelConfigured) {
    throw new ConfigError(
      'MOBILIZE_BACKEND',
      'llm needs MOBILIZE_MODEL and OPENAI_BASE_URL or OPENAI_API_KEY to be set',
    );
  }
  const backend = e.MOBILIZE_BACKEND === 'auto' ? (modelConfigured ? 'llm' : 'rules') : e.MOBILIZE_BACKEND;
  const home = path.resolve(e.MOBILIZE_HOME);
  return {
    database: e.DATABASE_URL
      ? { kind: 'server', url: e.DATABASE_URL }
      : { kind: 'embedded', dataDir: path.join(home, 'db') },
    home,
    server: {
      host: e.HOST,
      port: e.PORT,
      maxBodyBytes: e.MOBILIZE_MAX_BODY_BYTES,
      mcpAllowedOrigins: (e.MOBILIZE_MCP_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
    log: { level: e.LOG_LEVEL, toolData: e.LOG_TOOL_DATA },
    model: {
      backend,
      baseUrl: e.OPENAI_BASE_URL,
      apiKey: e.OPENAI_API_KEY,
      chatModel: e.MOBILIZE_MODEL,
      embeddingModel: e.MOBILIZE_EMBEDDING_MODEL,
    },
    timeouts: { dbMs: e.MOBILIZE_DB_TIMEOUT_MS, httpMs: e.MOBILIZE_HTTP_TIMEOUT_MS },
    connectors: {
      github: e.GITHUB_TOKEN
        ? {
            token: e.GITHUB_TOKEN,
            apiUrl: e.MOBILIZE_GITHUB_API_URL,
            hosts: e.MOBILIZE_GITHUB_HOSTS?.split(',')
              .map((h) => h.trim())
              .filter(Boolean),
          }
        : undefined,
      tickets: e.MOBILIZE_TICKETS,
      githubIssuesRepo: e.MOBILIZE_GITHUB_ISSUES_REPO,
      jira:
        e.JIRA_BASE_URL && e.JIRA_EMAIL && e.JIRA_API_TOKEN && e.JIRA_PROJECT_KEY
          ? {
              baseUrl: e.JIRA_BASE_URL,
              email: e.JIRA_EMAIL,
              apiToken: e.JIRA_API_TOKEN,
              projectKey: e.JIRA_PROJECT_KEY,
            }
          : undefined,
      slackWebhookUrl: e.SLACK_WEBHOOK_URL,
    },
    policyFile: e.MOBILIZE_POLICY ? path.resolve(e.MOBILIZE_POLICY) : undefined,
  };
}

/** A database URL safe to print: the password is replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
