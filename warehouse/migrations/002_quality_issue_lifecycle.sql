-- Findings are never deleted: a finding that a later validation no longer produces (its
-- figures were re-parsed or revised) is marked resolved instead.

ALTER TABLE quality_issues ADD COLUMN last_seen_run_id VARCHAR;
ALTER TABLE quality_issues ADD COLUMN resolved_at TIMESTAMPTZ;
UPDATE quality_issues SET last_seen_run_id = first_found_run_id;
COMMENT ON COLUMN quality_issues.last_seen_run_id IS 'Last run whose validation still found it.';
COMMENT ON COLUMN quality_issues.resolved_at IS 'When a later validation no longer found it (its figures were re-parsed or revised); NULL while the finding is open.';
