-- Typed exposure filters (search_exposures, ask) and their counts read this narrow covering
-- index (about 180 bytes a row) instead of the wide exposure rows (about 1.7 KB, mostly the
-- explanation JSON): measured with npm run bench:ask on 100k exposures. It serves what
-- exposures_state_idx served (same leading columns), which it replaces.
CREATE INDEX exposures_filter_idx ON exposures (state, risk_score DESC NULLS LAST, id)
  INCLUDE (asset_id, advisory_id, vulnerability_id, ssvc_decision, coverage, severity, owner, team,
           sla_due_at, triage, opened_at, resolved_at, component);
DROP INDEX IF EXISTS exposures_state_idx;
