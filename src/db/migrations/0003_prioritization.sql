-- Prioritization results and the controls each exposure relies on (for targeted drift re-runs).
ALTER TABLE exposures ADD COLUMN owner_rule text;
ALTER TABLE exposures ADD COLUMN triage boolean NOT NULL DEFAULT false;
ALTER TABLE exposures ADD COLUMN prioritized_at timestamptz;
ALTER TABLE exposures ADD COLUMN policy_version text;

CREATE TABLE exposure_controls (
  exposure_id text NOT NULL REFERENCES exposures (id) ON DELETE CASCADE,
  control_id  text NOT NULL REFERENCES controls (id) ON DELETE CASCADE,
  coverage    text NOT NULL CHECK (coverage IN ('full', 'partial', 'none')),
  reachability text NOT NULL DEFAULT 'unchanged',
  PRIMARY KEY (exposure_id, control_id)
);
CREATE INDEX exposure_controls_control_idx ON exposure_controls (control_id);

