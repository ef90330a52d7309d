-- Analyst views. Views hold no data, so they are recreated (with their comments) every time
-- the warehouse is migrated; change them here, not in a migration.
-- A view column without its own COMMENT here inherits the comment of the table column of the
-- same name (warehouse/schema.py does that), so each meaning is written once.

CREATE OR REPLACE VIEW figure_provenance AS
SELECT
    f.figure_id,
    f.source_id,
    f.metric,
    f.victim_group,
    f.perpetrator,
    f.place,
    f.period_start,
    f.period_end,
    f.count,
    f.count_high,
    f.qualifier,
    d.url,
    d.final_url,
    fe.requested_at AS fetched_at,
    fe.status_code AS http_status,
    d.sha256,
    d.archive_path,
    d.media_type,
    d.title AS document_title,
    d.published AS document_published,
    f.parser,
    f.parser_version,
    f.locator,
    f.snippet,
    f.run_id
FROM figures f
JOIN documents d ON d.sha256 = f.sha256
LEFT JOIN fetches fe ON fe.fetch_id = d.first_fetch_id;

COMMENT ON VIEW figure_provenance IS 'Every figure with where it came from: URL, fetch time, HTTP status, content hash, archive path, parser and version, locator and snippet.';
COMMENT ON COLUMN figure_provenance.fetched_at IS 'When the content was first fetched (UTC).';
COMMENT ON COLUMN figure_provenance.http_status IS 'HTTP status of that fetch.';
COMMENT ON COLUMN figure_provenance.document_title IS 'Title of the document.';
COMMENT ON COLUMN figure_provenance.document_published IS 'Publication date of the document.';

CREATE OR REPLACE VIEW current_figures AS
WITH latest_document AS (
    SELECT d.*
    FROM documents d
    QUALIFY row_number() OVER (PARTITION BY d.url ORDER BY d.first_seen DESC, d.sha256) = 1
),
latest_parser AS (
    SELECT
        sha256,
        parser,
        max_by(
            parser_version,
            list_transform(string_split(parser_version, '.'), lambda x: TRY_CAST(x AS INTEGER))
        ) AS parser_version
    FROM parse_runs
    WHERE status = 'ok'
    GROUP BY sha256, parser
)
SELECT f.*, ld.url, ld.published AS document_published
FROM figures f
JOIN latest_document ld ON ld.sha256 = f.sha256
JOIN latest_parser lp
  ON lp.sha256 = f.sha256 AND lp.parser = f.parser AND lp.parser_version = f.parser_version;

COMMENT ON COLUMN current_figures.url IS 'URL of the document (its newest version is the one shown).';
COMMENT ON COLUMN current_figures.document_published IS 'Publication date of the document.';
COMMENT ON VIEW current_figures IS 'Figures of the newest version of each document URL, from the newest parser version that ran on it: what toll currently believes each document says.';
