-- Orchestrator: durable threads, plan approvals with expiry, accepted risk, ticket idempotency.

-- One row per LangGraph thread (its checkpoints live in LangGraph's own tables).
CREATE TABLE graph_threads (
  thread_id    text PRIMARY KEY,
  group_key    text NOT NULL,               -- the fix group: one change fixes these exposures
  exposure_ids text[] NOT NULL,
  status       text NOT NULL DEFAULT 'running'
               CHECK (status IN ('running', 'awaiting_approval', 'completed', 'escalated', 'failed')),
  outcome      text,
  plan_id      text,
  started_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
-- A group has at most one live thread; a finished group may be worked again later.
CREATE UNIQUE INDEX graph_threads_live_group_idx ON graph_threads (group_key)
  WHERE status IN ('running', 'awaiting_approval');
CREATE INDEX graph_threads_status_idx ON graph_threads (status, updated_at);

ALTER TABLE plans ADD COLUMN group_key text;
ALTER TABLE plans ADD COLUMN risk jsonb NOT NULL DEFAULT '{}';
ALTER TABLE plans ADD COLUMN approval_expires_at timestamptz;
ALTER TABLE plans ADD COLUMN supersedes text REFERENCES plans (id);
CREATE INDEX plans_thread_idx ON plans (thread_id);

-- A plan is decided once: a second, different decision is a conflict, the same one a replay.
CREATE UNIQUE INDEX approvals_one_decision_idx ON approvals (plan_id);
ALTER TABLE approvals ADD COLUMN accept_risk_until timestamptz;

ALTER TABLE exposures ADD COLUMN accepted_until timestamptz;
ALTER TABLE exposures ADD COLUMN state_reason text;

ALTER TABLE tickets ADD COLUMN idempotency_key text UNIQUE;
ALTER TABLE tickets ADD COLUMN body text NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN exposure_ids text[] NOT NULL DEFAULT '{}';

ALTER TABLE agent_decisions ADD COLUMN thread_id text;
ALTER TABLE verifications ADD COLUMN thread_id text;

-- "Has this exposure been worked since it (re)opened?" without scanning every thread.
CREATE INDEX graph_threads_exposures_idx ON graph_threads USING gin (exposure_ids);
