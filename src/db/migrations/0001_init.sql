-- Mobilize schema: the whole domain of DESIGN.md. Forward-only; later changes get new files.
CREATE EXTENSION IF NOT EXISTS vector;

-- Inventory -------------------------------------------------------------------------------

CREATE TABLE assets (
  id                text PRIMARY KEY,
  name              text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('host', 'container_image', 'repository', 'cloud_resource',
                                                  'identity', 'saas_app', 'ai_agent', 'unclassified')),
  environment       text NOT NULL DEFAULT 'unknown'
                    CHECK (environment IN ('production', 'staging', 'development', 'test', 'unknown')),
  criticality       text NOT NULL DEFAULT 'medium'
                    CHECK (criticality IN ('crown_jewel', 'high', 'medium', 'low')),
  internet_exposure text NOT NULL DEFAULT 'unknown'
                    CHECK (internet_exposure IN ('internet', 'internal', 'isolated', 'unknown')),
  data_sensitivity  text NOT NULL DEFAULT 'internal'
                    CHECK (data_sensitivity IN ('restricted', 'confidential', 'internal', 'public')),
  owner             text,
  team              text,
  network           text,
  tags              text[] NOT NULL DEFAULT '{}',
  attributes        jsonb NOT NULL DEFAULT '{}',
  source            text NOT NULL DEFAULT 'inventory',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assets_tags_idx ON assets USING gin (tags);
CREATE INDEX assets_context_idx ON assets (environment, internet_exposure, criticality);

-- How scanner output finds its asset: image names/digests, repository URLs, ARNs, hostnames.
CREATE TABLE asset_identifiers (
  kind     text NOT NULL CHECK (kind IN ('hostname', 'ip', 'image', 'image_digest', 'repository_url',
                                         'arn', 'resource_id', 'account', 'name')),
  value    text NOT NULL,
  asset_id text NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  PRIMARY KEY (kind, value)
);
CREATE INDEX asset_identifiers_asset_idx ON asset_identifiers (asset_id);

CREATE TABLE controls (
  id               text PRIMARY KEY,
  name             text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('waf', 'edr', 'firewall', 'segmentation', 'iam_boundary',
                                                 'runtime_protection', 'config_mitigation', 'detection_rule')),
  product          text,
  mode             text NOT NULL CHECK (mode IN ('block', 'detect')),
  scope            jsonb NOT NULL DEFAULT '{}',   -- asset selectors: ids, tags, environments, networks
  capabilities     text[] NOT NULL DEFAULT '{}',
  rules            jsonb NOT NULL DEFAULT '[]',
  enabled          boolean NOT NULL DEFAULT true,
  last_verified_at timestamptz,
  attributes       jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Advisories and threat intelligence ---------------------------------------------------------

CREATE TABLE advisories (
  id                  text PRIMARY KEY,            -- GHSA, CVE or other OSV id
  source              text NOT NULL,               -- osv, cve5, scanner
  aliases             text[] NOT NULL DEFAULT '{}',
  title               text,
  details             text,
  severity            text CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info', 'unknown')),
  cvss_vector         text,
  cvss_score          numeric(3, 1),
  cwes                text[] NOT NULL DEFAULT '{}',
  affected            jsonb NOT NULL DEFAULT '[]',  -- [{ecosystem, package, ranges, versions, fixed}]
  reference_links     jsonb NOT NULL DEFAULT '[]',
  published_at        timestamptz,
  modified_at         timestamptz,
  withdrawn_at        timestamptz,
  kev                 boolean NOT NULL DEFAULT false,
  kev_date_added      date,
  kev_due_date        date,
  kev_ransomware      boolean,
  kev_required_action text,
  epss_score          double precision,
  epss_percentile     double precision,
  epss_date           date,
  raw                 jsonb,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX advisories_kev_idx ON advisories (kev) WHERE kev;
CREATE INDEX advisories_epss_idx ON advisories (epss_score DESC NULLS LAST);

-- CVE <-> GHSA <-> OSV: one alias can name several advisories (a CVE covered by two GHSAs).
CREATE TABLE advisory_aliases (
  alias       text NOT NULL,
  advisory_id text NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
  PRIMARY KEY (alias, advisory_id)
);
CREATE INDEX advisory_aliases_advisory_idx ON advisory_aliases (advisory_id);

-- The KEV catalog and EPSS scores arrive per CVE, possibly before the advisory does.
CREATE TABLE kev_entries (
  cve_id             text PRIMARY KEY,
  vendor             text,
  product            text,
  name               text,
  date_added         date NOT NULL,
  due_date           date,
  required_action    text,
  ransomware         boolean NOT NULL DEFAULT false,
  notes              text,
  cwes               text[] NOT NULL DEFAULT '{}',
  catalog_version    text,
  updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE epss_scores (
  cve_id        text PRIMARY KEY,
  score         double precision NOT NULL CHECK (score BETWEEN 0 AND 1),
  percentile    double precision NOT NULL CHECK (percentile BETWEEN 0 AND 1),
  model_version text,
  score_date    date,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Cached per (advisory, modified time, prompt version): model cost grows with advisories, not findings.
CREATE TABLE advisory_summaries (
  id                   bigserial PRIMARY KEY,
  advisory_id          text NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
  advisory_modified_at timestamptz,
  prompt_version       text NOT NULL,
  decided_by           text NOT NULL,           -- 'rules' or 'llm:<model>'
  summary              jsonb NOT NULL,
  text                 text NOT NULL,
  embedding            vector(384),
  embedding_model      text,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX advisory_summaries_cache_idx
  ON advisory_summaries (advisory_id, coalesce(advisory_modified_at, 'epoch'::timestamptz), prompt_version);
CREATE INDEX advisory_summaries_embedding_idx ON advisory_summaries USING hnsw (embedding vector_cosine_ops);

-- Findings and exposures -----------------------------------------------------------------------

CREATE TABLE ingest_reports (
  id           bigserial PRIMARY KEY,
  file         text NOT NULL,
  format       text NOT NULL,
  source_tool  text,
  scope        text,
  full_scan    boolean NOT NULL DEFAULT false,
  sha256       text,
  summary      jsonb NOT NULL DEFAULT '{}',
  ingested_at  timestamptz NOT NULL DEFAULT now()
);

-- One vulnerability (or misconfiguration) on one asset; findings from any scanner point here.
CREATE TABLE exposures (
  id                 text PRIMARY KEY,
  correlation_key    text NOT NULL UNIQUE,   -- asset + vulnerability + component
  asset_id           text NOT NULL REFERENCES assets (id),
  advisory_id        text REFERENCES advisories (id),
  vulnerability_id   text NOT NULL,          -- the id scanners agree on (CVE, GHSA, rule id)
  kind               text NOT NULL CHECK (kind IN ('package', 'misconfiguration', 'secret', 'code', 'cloud')),
  component          text,                   -- package name or resource
  ecosystem          text,
  title              text NOT NULL,
  severity           text NOT NULL DEFAULT 'unknown'
                     CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info', 'unknown')),
  state              text NOT NULL DEFAULT 'open'
                     CHECK (state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated', 'resolved',
                                      'accepted', 'suppressed')),
  risk_score         double precision,
  risk_factors       jsonb NOT NULL DEFAULT '[]',
  ssvc_decision      text CHECK (ssvc_decision IN ('Track', 'Track*', 'Attend', 'Act')),
  ssvc_path          jsonb,
  sla_due_at         timestamptz,
  owner              text,
  team               text,
  coverage           text NOT NULL DEFAULT 'none' CHECK (coverage IN ('full', 'partial', 'none')),
  coverage_evidence  jsonb NOT NULL DEFAULT '[]',
  reachable          text NOT NULL DEFAULT 'open' CHECK (reachable IN ('open', 'controlled')),
  reopen_count       integer NOT NULL DEFAULT 0,
  first_seen_at      timestamptz NOT NULL DEFAULT now(),
  last_seen_at       timestamptz NOT NULL DEFAULT now(),
  opened_at          timestamptz NOT NULL DEFAULT now(),
  mitigated_at       timestamptz,
  resolved_at        timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX exposures_state_idx ON exposures (state, risk_score DESC NULLS LAST);
CREATE INDEX exposures_asset_idx ON exposures (asset_id);
CREATE INDEX exposures_advisory_idx ON exposures (advisory_id);
CREATE INDEX exposures_sla_idx ON exposures (sla_due_at) WHERE state IN ('open', 'in_progress', 'awaiting_approval');

CREATE TABLE findings (
  fingerprint     text PRIMARY KEY,          -- stable: re-importing a report changes nothing
  exposure_id     text NOT NULL REFERENCES exposures (id),
  asset_id        text NOT NULL REFERENCES assets (id),
  report_id       bigint REFERENCES ingest_reports (id),
  source_tool     text NOT NULL,
  source_version  text,
  format          text NOT NULL,
  rule_id         text NOT NULL,             -- vulnerability or rule id as the scanner gave it
  aliases         text[] NOT NULL DEFAULT '{}',
  kind            text NOT NULL CHECK (kind IN ('package', 'misconfiguration', 'secret', 'code', 'cloud')),
  package_name    text,
  ecosystem       text,
  package_version text,
  fixed_versions  text[] NOT NULL DEFAULT '{}',
  purl            text,
  resource        text,
  location        text,
  line            integer,
  severity        text NOT NULL DEFAULT 'unknown'
                  CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info', 'unknown')),
  cvss_score      numeric(3, 1),
  cvss_vector     text,
  cwes            text[] NOT NULL DEFAULT '{}',
  title           text NOT NULL,
  description     text,
  scope           text,
  state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'fixed', 'suppressed')),
  suppression     jsonb,                     -- VEX state and justification
  raw             jsonb NOT NULL,
  first_seen_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at    timestamptz NOT NULL DEFAULT now(),
  fixed_at        timestamptz
);
CREATE INDEX findings_exposure_idx ON findings (exposure_id);
CREATE INDEX findings_scope_idx ON findings (scope, state);

-- Remediation --------------------------------------------------------------------------------

CREATE TABLE plans (
  id               text PRIMARY KEY,
  thread_id        text,
  kind             text NOT NULL,            -- dependency_bump, base_image, terraform, mitigation, ticket
  title            text NOT NULL,
  rationale        text,
  state            text NOT NULL DEFAULT 'draft'
                   CHECK (state IN ('draft', 'awaiting_approval', 'approved', 'rejected', 'changes_requested',
                                    'executing', 'executed', 'verified', 'failed', 'rolled_back', 'escalated')),
  routine          boolean NOT NULL DEFAULT false,
  policy_decision  jsonb NOT NULL DEFAULT '{}',
  confidence       double precision,
  requested_by     text NOT NULL,            -- an agent run or a user; never its own approver
  decided_by       text,                     -- 'rules' or 'llm:<model>'
  prompt_version   text,
  evidence         jsonb NOT NULL DEFAULT '[]',
  diff             text,
  replan_count     integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plans_state_idx ON plans (state, created_at);

-- One change can fix several exposures (a fix group).
CREATE TABLE plan_exposures (
  plan_id     text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  exposure_id text NOT NULL REFERENCES exposures (id),
  PRIMARY KEY (plan_id, exposure_id)
);
CREATE INDEX plan_exposures_exposure_idx ON plan_exposures (exposure_id);

CREATE TABLE plan_steps (
  id              text PRIMARY KEY,
  plan_id         text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  ordinal         integer NOT NULL,
  tool            text NOT NULL,
  args            jsonb NOT NULL,
  preconditions   jsonb NOT NULL DEFAULT '[]',
  idempotency_key text NOT NULL UNIQUE,
  rollback        jsonb,
  verification    jsonb,
  state           text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'rolled_back')),
  UNIQUE (plan_id, ordinal)
);

CREATE TABLE approvals (
  id          text PRIMARY KEY,
  plan_id     text NOT NULL REFERENCES plans (id),
  decision    text NOT NULL CHECK (decision IN ('approved', 'rejected', 'changes_requested')),
  decided_by  text NOT NULL,
  note        text,
  decided_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX approvals_plan_idx ON approvals (plan_id);

-- Separation of duties, enforced by the database too: whoever requested a plan cannot decide it.
CREATE FUNCTION approvals_separation_of_duties() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM plans WHERE id = NEW.plan_id AND requested_by = NEW.decided_by) THEN
    RAISE EXCEPTION 'separation of duties: % requested plan % and cannot decide it', NEW.decided_by, NEW.plan_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER approvals_separation_of_duties BEFORE INSERT OR UPDATE ON approvals
  FOR EACH ROW EXECUTE FUNCTION approvals_separation_of_duties();

-- Every executed tool call, keyed so a retried worker never repeats an action.
CREATE TABLE actions (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  plan_id         text REFERENCES plans (id),
  step_id         text REFERENCES plan_steps (id),
  tool            text NOT NULL,
  args            jsonb NOT NULL,
  dry_run         boolean NOT NULL DEFAULT false,
  state           text NOT NULL CHECK (state IN ('started', 'succeeded', 'failed', 'rolled_back')),
  result          jsonb,
  error           text,
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);
CREATE INDEX actions_plan_idx ON actions (plan_id);

CREATE TABLE verifications (
  id          bigserial PRIMARY KEY,
  plan_id     text REFERENCES plans (id),
  exposure_id text NOT NULL REFERENCES exposures (id),
  outcome     text NOT NULL CHECK (outcome IN ('resolved', 'mitigated', 'failed', 'pending')),
  method      text NOT NULL,
  evidence    jsonb NOT NULL DEFAULT '{}',
  verified_by text NOT NULL,
  verified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verifications_exposure_idx ON verifications (exposure_id, verified_at DESC);

CREATE TABLE tickets (
  id          text PRIMARY KEY,
  system      text NOT NULL CHECK (system IN ('builtin', 'github', 'jira')),
  external_id text,
  url         text,
  exposure_id text REFERENCES exposures (id),
  plan_id     text REFERENCES plans (id),
  title       text NOT NULL,
  owner       text,
  due_at      timestamptz,
  state       text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_exposure_idx ON tickets (exposure_id);

-- Provenance of every agent decision: who decided, with which prompt, on which evidence.
CREATE TABLE agent_decisions (
  id             bigserial PRIMARY KEY,
  agent          text NOT NULL,
  subject_type   text NOT NULL,
  subject_id     text NOT NULL,
  decided_by     text NOT NULL,
  prompt_version text,
  input_ids      text[] NOT NULL DEFAULT '{}',
  output         jsonb NOT NULL,
  evidence       jsonb NOT NULL DEFAULT '[]',
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_decisions_subject_idx ON agent_decisions (subject_type, subject_id);

-- Audit and metrics ---------------------------------------------------------------------------

-- Append-only and hash-chained: hash = sha256(prev_hash || canonical entry).
CREATE TABLE audit_log (
  seq          bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor        text NOT NULL,
  action       text NOT NULL,
  subject_type text NOT NULL,
  subject_id   text NOT NULL,
  data         jsonb NOT NULL DEFAULT '{}',
  prev_hash    text NOT NULL,
  hash         text NOT NULL UNIQUE
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE metric_snapshots (
  id       bigserial PRIMARY KEY,
  taken_at timestamptz NOT NULL DEFAULT now(),
  metrics  jsonb NOT NULL
);
CREATE INDEX metric_snapshots_taken_idx ON metric_snapshots (taken_at);
