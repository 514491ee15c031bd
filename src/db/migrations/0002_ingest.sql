-- Ingest bookkeeping: a content hash tells "updated" from "unchanged" on re-import.
ALTER TABLE findings ADD COLUMN content_hash text;
CREATE INDEX exposures_vulnerability_idx ON exposures (vulnerability_id);
