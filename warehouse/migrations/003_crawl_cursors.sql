-- Backfills walk a source's listings to their end, page by page; the cursor lets an
-- interrupted backfill resume where it stopped.

CREATE TABLE crawl_cursors (
    source_id   VARCHAR NOT NULL,
    listing_url VARCHAR NOT NULL,
    next_url    VARCHAR,
    pages_done  INTEGER NOT NULL,
    finished    BOOLEAN NOT NULL,
    run_id      VARCHAR NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source_id, listing_url)
);
COMMENT ON TABLE crawl_cursors IS 'Where each backfill of a listing got to: the next page to read, so an interrupted backfill resumes instead of starting over.';
COMMENT ON COLUMN crawl_cursors.source_id IS 'Source whose listing it is (sources.source_id).';
COMMENT ON COLUMN crawl_cursors.listing_url IS 'First page of the listing, as configured.';
COMMENT ON COLUMN crawl_cursors.next_url IS 'Next listing page to read; NULL when the walk reached the end.';
COMMENT ON COLUMN crawl_cursors.pages_done IS 'Listing pages read (and their documents loaded) in this walk.';
COMMENT ON COLUMN crawl_cursors.finished IS 'True when the walk reached the last page; the next backfill starts again from the first.';
COMMENT ON COLUMN crawl_cursors.run_id IS 'Run that last moved the cursor (runs.run_id).';
COMMENT ON COLUMN crawl_cursors.updated_at IS 'When the cursor last moved (UTC).';
COMMENT ON COLUMN fetches.outcome IS 'fetched (new content), unchanged (304 or known bytes), failed, or skipped (the site''s robots.txt disallows the URL).';
