-- Remediation: change requests (GitHub or the local forge) and temporary mitigations on the
-- demo estate's simulated control plane.

CREATE TABLE change_requests (
  id              text PRIMARY KEY,
  system          text NOT NULL CHECK (system IN ('github', 'local')),
  external_id     text,
  url             text,
  asset_id        text NOT NULL REFERENCES assets (id),
  plan_id         text REFERENCES plans (id),
  branch          text NOT NULL,
  base            text NOT NULL,
  title           text NOT NULL,
  body            text NOT NULL DEFAULT '',
  state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'merged', 'closed')),
  idempotency_key text NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_requests_plan_idx ON change_requests (plan_id);

-- Simulated control plane of the demo estate: real cloud control planes are changed through
-- infrastructure-as-code change requests, never by these rows.
CREATE TABLE mitigations (
  id              text PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('waf_virtual_patch', 'quarantine')),
  control_id      text REFERENCES controls (id),
  asset_id        text REFERENCES assets (id),
  exposure_ids    text[] NOT NULL DEFAULT '{}',
  plan_id         text REFERENCES plans (id),
  details         jsonb NOT NULL DEFAULT '{}',
  previous        jsonb NOT NULL DEFAULT '{}',   -- what rollback restores
  state           text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'rolled_back')),
  simulated       boolean NOT NULL DEFAULT true,
  idempotency_key text NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mitigations_asset_idx ON mitigations (asset_id);

ALTER TABLE tickets ADD COLUMN comments jsonb NOT NULL DEFAULT '[]';
