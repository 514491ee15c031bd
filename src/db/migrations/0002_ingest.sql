-- Ingest bookkeeping: a content hash tells "updated" from "unchanged" on re-import.
ALTER TABLE findings ADD COLUMN content_hash text;
-- The exposures an ingest touched are found through its report, not held in memory.
CREATE INDEX findings_report_idx ON findings (report_id);
CREATE INDEX exposures_vulnerability_idx ON exposures (vulnerability_id);
