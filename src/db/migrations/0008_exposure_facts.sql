-- The facts exposure filters read (KEV, EPSS, internet exposure, environment, criticality) are
-- kept on the exposure row, so a filter and its count read one narrow index instead of joining
-- assets, advisories, kev_entries and epss_scores for every active exposure (measured with
-- npm run bench:ask on 100k exposures). Triggers keep them equal to their sources whichever code
-- writes those (ingest, inventory, intel feeds, tests, the demo), so no writer can forget them;
-- ingest supplies them in its own set-based INSERT, and the row trigger fills only what is missing.

ALTER TABLE exposures
  ADD COLUMN kev boolean NOT NULL DEFAULT false,       -- the advisory's KEV flag, else the CVE's KEV entry
  ADD COLUMN epss_score double precision,              -- the advisory's EPSS, else the CVE's score
  ADD COLUMN internet_facing boolean NOT NULL DEFAULT false,
  ADD COLUMN asset_environment text NOT NULL DEFAULT 'unknown',
  ADD COLUMN asset_criticality text NOT NULL DEFAULT 'medium';
-- Existing rows are filled below. New rows get their facts from the inserter or the trigger: no
-- default, so a writer that sets some facts but not all fails loudly on NOT NULL.
ALTER TABLE exposures ALTER COLUMN kev DROP DEFAULT, ALTER COLUMN internet_facing DROP DEFAULT,
  ALTER COLUMN asset_environment DROP DEFAULT, ALTER COLUMN asset_criticality DROP DEFAULT;

-- The facts of the given exposures, recomputed from their sources; only changed rows are written.
CREATE FUNCTION refresh_exposure_facts(ids text[]) RETURNS void LANGUAGE sql AS $$
  UPDATE exposures e
     SET kev = f.kev, epss_score = f.epss_score, internet_facing = f.internet_facing,
         asset_environment = f.environment, asset_criticality = f.criticality
    FROM (SELECT x.id, coalesce(adv.kev, k.cve_id IS NOT NULL) AS kev, coalesce(adv.epss_score, s.score) AS epss_score,
                 a.internet_exposure = 'internet' AS internet_facing, a.environment, a.criticality
            FROM exposures x
            JOIN assets a ON a.id = x.asset_id
            LEFT JOIN advisories adv ON adv.id = x.advisory_id
            LEFT JOIN kev_entries k ON k.cve_id = x.vulnerability_id
            LEFT JOIN epss_scores s ON s.cve_id = x.vulnerability_id
           WHERE x.id = ANY(ids)) f
   WHERE e.id = f.id
     AND (e.kev, e.epss_score, e.internet_facing, e.asset_environment, e.asset_criticality)
         IS DISTINCT FROM (f.kev, f.epss_score, f.internet_facing, f.environment, f.criticality);
$$;

-- A new exposure, or one moved to another asset, advisory or vulnerability id: its own facts, in
-- one query (each statement a trigger runs costs about 25 µs a row: five lookups made an insert of
-- 100k exposures take 18 s instead of 4).
CREATE FUNCTION exposure_facts_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT a.internet_exposure = 'internet', a.environment, a.criticality,
         coalesce(adv.kev, k.cve_id IS NOT NULL), coalesce(adv.epss_score, s.score)
    INTO NEW.internet_facing, NEW.asset_environment, NEW.asset_criticality, NEW.kev, NEW.epss_score
    FROM assets a
    LEFT JOIN advisories adv ON adv.id = NEW.advisory_id
    LEFT JOIN kev_entries k ON k.cve_id = NEW.vulnerability_id
    LEFT JOIN epss_scores s ON s.cve_id = NEW.vulnerability_id
   WHERE a.id = NEW.asset_id;
  RETURN NEW;
END $$;
CREATE TRIGGER exposures_facts_inserted BEFORE INSERT ON exposures
  FOR EACH ROW WHEN (NEW.asset_environment IS NULL) EXECUTE FUNCTION exposure_facts_of_row();
CREATE TRIGGER exposures_facts_moved BEFORE UPDATE OF asset_id, advisory_id, vulnerability_id ON exposures
  FOR EACH ROW
  WHEN (OLD.asset_id IS DISTINCT FROM NEW.asset_id OR OLD.advisory_id IS DISTINCT FROM NEW.advisory_id
        OR OLD.vulnerability_id IS DISTINCT FROM NEW.vulnerability_id)
  EXECUTE FUNCTION exposure_facts_of_row();

-- A source changed: one set-based refresh per statement for the exposures it reaches.
CREATE FUNCTION exposure_facts_from_assets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_exposure_facts(ARRAY(SELECT e.id FROM exposures e JOIN changed c ON c.id = e.asset_id));
  RETURN NULL;
END $$;
CREATE TRIGGER assets_exposure_facts AFTER UPDATE ON assets REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION exposure_facts_from_assets();

CREATE FUNCTION exposure_facts_from_advisories() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_exposure_facts(ARRAY(SELECT e.id FROM exposures e JOIN changed c ON c.id = e.advisory_id));
  RETURN NULL;
END $$;
CREATE TRIGGER advisories_exposure_facts AFTER UPDATE ON advisories REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION exposure_facts_from_advisories();

-- KEV entries and EPSS scores reach exposures by CVE id (for exposures without an advisory).
CREATE FUNCTION exposure_facts_from_cves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_exposure_facts(ARRAY(SELECT e.id FROM exposures e JOIN changed c ON c.cve_id = e.vulnerability_id));
  RETURN NULL;
END $$;
CREATE TRIGGER kev_entries_inserted_exposure_facts AFTER INSERT ON kev_entries REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION exposure_facts_from_cves();
CREATE TRIGGER kev_entries_deleted_exposure_facts AFTER DELETE ON kev_entries REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION exposure_facts_from_cves();
CREATE TRIGGER epss_scores_inserted_exposure_facts AFTER INSERT ON epss_scores REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION exposure_facts_from_cves();
CREATE TRIGGER epss_scores_updated_exposure_facts AFTER UPDATE ON epss_scores REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION exposure_facts_from_cves();
CREATE TRIGGER epss_scores_deleted_exposure_facts AFTER DELETE ON epss_scores REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION exposure_facts_from_cves();

-- Existing rows.
SELECT refresh_exposure_facts(ARRAY(SELECT id FROM exposures));

-- The explanation of a prioritization (risk factors, SSVC path, coverage evidence: about 1.3 KB of
-- a 1.7 KB row) moves to its own table. Lists, filters and counts scan exposure rows; an explanation
-- is read one exposure at a time. Narrow rows make every scan of exposures about four times smaller.
CREATE TABLE exposure_explanations (
  exposure_id       text PRIMARY KEY REFERENCES exposures (id) ON DELETE CASCADE,
  risk_factors      jsonb NOT NULL DEFAULT '[]',
  ssvc_path         jsonb,
  coverage_evidence jsonb NOT NULL DEFAULT '[]'
);
INSERT INTO exposure_explanations (exposure_id, risk_factors, ssvc_path, coverage_evidence)
SELECT id, risk_factors, ssvc_path, coverage_evidence FROM exposures WHERE prioritized_at IS NOT NULL;
ALTER TABLE exposures DROP COLUMN risk_factors, DROP COLUMN ssvc_path, DROP COLUMN coverage_evidence;

-- Indexes over active exposures (open, in progress, awaiting approval, mitigated: what lists,
-- counts and questions read by default), each small. The covering exposures_filter_idx of 0007 was
-- wider than the narrow rows are now and bloated by every prioritization pass (three times its
-- built size after one), so the planner fell back to scanning the table: it goes. A selective
-- filter finds its rows through its own index; a page in risk order stops after its rows.
DROP INDEX IF EXISTS exposures_filter_idx;
DROP INDEX IF EXISTS exposures_sla_idx;
CREATE INDEX exposures_active_risk_idx ON exposures (risk_score DESC NULLS LAST, id)
  WHERE state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated');
CREATE INDEX exposures_risk_idx ON exposures (risk_score DESC NULLS LAST, id);
CREATE INDEX exposures_state_idx ON exposures (state, risk_score DESC NULLS LAST, id);
-- It also covers the programme metrics (backlog, KEV open, SLA compliance by decision).
CREATE INDEX exposures_decision_idx ON exposures (ssvc_decision) INCLUDE (risk_score, kev, sla_due_at)
  WHERE state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated');
-- Owner, team and EPSS are empty on a new exposure: such rows stay out of these indexes (an insert
-- writes fewer index entries), and a filter on them implies IS NOT NULL.
CREATE INDEX exposures_owner_idx ON exposures (owner)
  WHERE owner IS NOT NULL AND state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated');
CREATE INDEX exposures_team_idx ON exposures (team)
  WHERE team IS NOT NULL AND state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated');
CREATE INDEX exposures_sla_idx ON exposures (sla_due_at)
  WHERE state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated');
CREATE INDEX exposures_epss_idx ON exposures (epss_score DESC NULLS LAST, id)
  WHERE epss_score IS NOT NULL AND state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated');
CREATE INDEX exposures_asset_facts_idx ON exposures (asset_criticality, asset_environment)
  WHERE state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated');
CREATE INDEX exposures_triage_idx ON exposures (risk_score DESC NULLS LAST, id)
  WHERE triage AND state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated');
-- Known-exploited exposures are few and asked about often.
CREATE INDEX exposures_kev_idx ON exposures (risk_score DESC NULLS LAST, id) WHERE kev;
-- "log4j" finds org.apache.logging.log4j:log4j-core: a substring match needs trigrams.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX exposures_component_trgm_idx ON exposures USING gin (component gin_trgm_ops)
  WHERE state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated');
-- Mean time to remediate reads resolved exposures of the last 90 days.
CREATE INDEX exposures_resolved_idx ON exposures (resolved_at) INCLUDE (opened_at, ssvc_decision)
  WHERE state = 'resolved';

-- A denser HNSW graph for summary embeddings: recall@10 at a given ef_search varied by build with
-- the default ef_construction (64); 128 builds a better-connected graph (npm run bench:ask).
DROP INDEX IF EXISTS advisory_summaries_embedding_idx;
CREATE INDEX advisory_summaries_embedding_idx ON advisory_summaries USING hnsw (embedding vector_cosine_ops)
  WITH (m = 16, ef_construction = 128);
