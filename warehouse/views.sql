-- Analyst views. Views hold no data, so they are recreated (with their comments) every time
-- the warehouse is migrated; change them here, not in a migration.
-- A view column without its own COMMENT here inherits the comment of the table column of the
-- same name (warehouse/schema.py does that), so each meaning is written once.
-- Only syntax that DuckDB 1.5 also reads: the published file is opened by 1.5 and 2.x clients.
-- The heaviest views (*_live) are also stored as tables of the same name without the suffix,
-- refreshed before every publish (warehouse/served.py): analysts query those.

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
    f.certainty,
    f.attribution,
    d.url,
    d.final_url,
    fe.requested_at AS fetched_at,
    fe.status_code AS http_status,
    fe.etag,
    d.sha256,
    d.archive_path,
    d.media_type,
    d.title AS document_title,
    d.published AS document_published,
    f.parser,
    f.parser_version,
    f.parse_run_id,
    f.locator,
    f.snippet,
    f.run_id
FROM figures f
JOIN documents d ON d.sha256 = f.sha256
LEFT JOIN fetches fe ON fe.fetch_id = d.first_fetch_id;

COMMENT ON VIEW figure_provenance IS 'Every figure with where it came from: URL, final URL after redirects, fetch time, HTTP status, content hash, archive path, parser and version, locator and snippet.';
COMMENT ON COLUMN figure_provenance.attribution IS 'How the perpetrator was decided (figures.attribution): clause, sentence, heading, coreference, document, table, none, ambiguous or not_recorded.';
COMMENT ON COLUMN figure_provenance.certainty IS 'How firmly the perpetrator is stated (figures.certainty): stated, believed or unknown.';
COMMENT ON COLUMN figure_provenance.fetched_at IS 'When the content was first fetched (UTC).';
COMMENT ON COLUMN figure_provenance.http_status IS 'HTTP status of that fetch.';
COMMENT ON COLUMN figure_provenance.document_title IS 'Title of the document.';
COMMENT ON COLUMN figure_provenance.document_published IS 'Publication date of the document.';

CREATE OR REPLACE VIEW document_versions AS
WITH figure_counts AS (
    SELECT sha256, count(*) AS figure_count FROM figures GROUP BY sha256
)
SELECT
    d.url,
    row_number() OVER (PARTITION BY d.url ORDER BY d.first_seen, d.sha256) AS version,
    count(*) OVER (PARTITION BY d.url) AS versions,
    row_number() OVER (PARTITION BY d.url ORDER BY d.first_seen DESC, d.sha256 DESC) = 1
        AS is_current,
    d.sha256,
    lag(d.sha256) OVER (PARTITION BY d.url ORDER BY d.first_seen, d.sha256) AS previous_sha256,
    d.source_id,
    d.media_type,
    d.bytes,
    d.title,
    d.published,
    d.first_seen,
    d.archive_path,
    coalesce(fc.figure_count, 0) AS figure_count
FROM documents d
LEFT JOIN figure_counts fc ON fc.sha256 = d.sha256;

COMMENT ON VIEW document_versions IS 'Every version of every document URL: the same URL fetched with new bytes is a new version (numbered from 1 in the order toll first saw them); older versions stay queryable.';
COMMENT ON COLUMN document_versions.url IS 'URL of the document (as first fetched).';
COMMENT ON COLUMN document_versions.version IS 'Version number of this content at this URL, 1 for the first toll saw.';
COMMENT ON COLUMN document_versions.versions IS 'How many versions of this URL toll has seen.';
COMMENT ON COLUMN document_versions.is_current IS 'True for the newest version of the URL.';
COMMENT ON COLUMN document_versions.previous_sha256 IS 'SHA-256 of the version before this one; NULL for the first.';
COMMENT ON COLUMN document_versions.figure_count IS 'Figures extracted from this version.';

-- The heavy views are table macros first, so that a refresh of the stored tables can compute
-- only the sources and months a run changed (NULL: all of them); the views call them with NULL.
CREATE OR REPLACE MACRO current_figures_in(source_ids, months) AS TABLE
WITH latest_parser AS (
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
SELECT f.*, v.url, v.published AS document_published, v.version AS document_version,
       s.country AS source_country,
       (CASE f.parser WHEN 'pdf_tables' THEN 1 WHEN 'html_tables' THEN 2 ELSE 3 END,
        -epoch(coalesce(v.published, DATE '1900-01-01')), f.figure_id) AS preference
FROM figures f
JOIN document_versions v ON v.sha256 = f.sha256 AND v.is_current
LEFT JOIN sources s ON s.source_id = f.source_id
JOIN latest_parser lp
  ON lp.sha256 = f.sha256 AND lp.parser = f.parser AND lp.parser_version = f.parser_version
WHERE (source_ids IS NULL OR list_contains(source_ids::VARCHAR[], f.source_id))
  AND (months IS NULL OR list_contains(months::DATE[], f.period_start));

CREATE OR REPLACE VIEW current_figures AS SELECT * FROM current_figures_in(NULL, NULL);

COMMENT ON VIEW current_figures IS 'Figures of the newest version of each document URL, from the newest parser version that ran on it: what toll currently believes each document says.';
COMMENT ON COLUMN current_figures.url IS 'URL of the document (its newest version is the one shown).';
COMMENT ON COLUMN current_figures.document_published IS 'Publication date of the document.';
COMMENT ON COLUMN current_figures.document_version IS 'Version number of the document at its URL (see document_versions).';
COMMENT ON COLUMN current_figures.preference IS 'Which of the figures stating one claim is kept, lowest first: PDF tables, then HTML tables, then prose; then the most recently published document; then the figure id. monthly_toll and the report keep arg_min(figure_id, preference).';
COMMENT ON COLUMN current_figures.source_country IS 'Country the source reports on (sources.country): the scope of a figure that names no place.';

CREATE OR REPLACE VIEW figure_revisions AS
WITH keyed AS (
    SELECT
        f.*,
        row_number() OVER (
            PARTITION BY f.sha256, f.parser, f.metric, f.victim_group, f.perpetrator, f.place,
                         f.period_start, f.period_end
            ORDER BY f.locator::VARCHAR, f.figure_id
        ) AS occurrence
    FROM figures f
),
pairs AS (
    SELECT url, version, previous_sha256 AS old_sha256, sha256 AS new_sha256
    FROM document_versions
    WHERE previous_sha256 IS NOT NULL
),
old_side AS (
    SELECT p.url, p.version, p.old_sha256, p.new_sha256, k.*
    FROM pairs p JOIN keyed k ON k.sha256 = p.old_sha256
),
new_side AS (
    SELECT p.url, p.version, p.old_sha256, p.new_sha256, k.*
    FROM pairs p JOIN keyed k ON k.sha256 = p.new_sha256
),
compared AS (
    SELECT
        coalesce(n.url, o.url) AS url,
        coalesce(n.version, o.version) AS version,
        coalesce(n.old_sha256, o.old_sha256) AS old_sha256,
        coalesce(n.new_sha256, o.new_sha256) AS new_sha256,
        coalesce(n.parser, o.parser) AS parser,
        coalesce(n.metric, o.metric) AS metric,
        coalesce(n.victim_group, o.victim_group) AS victim_group,
        coalesce(n.perpetrator, o.perpetrator) AS perpetrator,
        coalesce(n.place, o.place) AS place,
        coalesce(n.period_start, o.period_start) AS period_start,
        coalesce(n.period_end, o.period_end) AS period_end,
        o.count AS old_count,
        n.count AS new_count,
        n.count - o.count AS change,
        CASE
            WHEN o.figure_id IS NULL THEN 'added'
            WHEN n.figure_id IS NULL THEN 'removed'
            WHEN o.count <> n.count OR o.count_high IS DISTINCT FROM n.count_high
                 OR o.qualifier <> n.qualifier THEN 'changed'
            ELSE 'unchanged'
        END AS revision,
        o.figure_id AS old_figure_id,
        n.figure_id AS new_figure_id,
        o.snippet AS old_snippet,
        n.snippet AS new_snippet
    FROM old_side o
    FULL OUTER JOIN new_side n
      ON n.url = o.url AND n.version = o.version AND n.parser = o.parser
     AND n.metric = o.metric
     AND n.victim_group IS NOT DISTINCT FROM o.victim_group
     AND n.perpetrator IS NOT DISTINCT FROM o.perpetrator
     AND n.place IS NOT DISTINCT FROM o.place
     AND n.period_start IS NOT DISTINCT FROM o.period_start
     AND n.period_end IS NOT DISTINCT FROM o.period_end
     AND n.occurrence = o.occurrence
)
SELECT * FROM compared WHERE revision <> 'unchanged';

COMMENT ON VIEW figure_revisions IS 'Figures that changed between consecutive versions of the same document URL: changed counts (with the change), figures added and figures removed. Matched on parser and claim scope (metric, victim group, perpetrator, place, period).';
COMMENT ON COLUMN figure_revisions.url IS 'URL of the revised document.';
COMMENT ON COLUMN figure_revisions.version IS 'Version number of the newer document.';
COMMENT ON COLUMN figure_revisions.old_sha256 IS 'SHA-256 of the older version.';
COMMENT ON COLUMN figure_revisions.new_sha256 IS 'SHA-256 of the newer version.';
COMMENT ON COLUMN figure_revisions.old_count IS 'Count in the older version (NULL when the figure was added).';
COMMENT ON COLUMN figure_revisions.new_count IS 'Count in the newer version (NULL when the figure was removed).';
COMMENT ON COLUMN figure_revisions.change IS 'new_count - old_count.';
COMMENT ON COLUMN figure_revisions.revision IS 'changed, added or removed.';
COMMENT ON COLUMN figure_revisions.old_figure_id IS 'The figure in the older version.';
COMMENT ON COLUMN figure_revisions.new_figure_id IS 'The figure in the newer version.';
COMMENT ON COLUMN figure_revisions.old_snippet IS 'Snippet in the older version.';
COMMENT ON COLUMN figure_revisions.new_snippet IS 'Snippet in the newer version.';

CREATE OR REPLACE MACRO figure_conflicts_in(months) AS TABLE
WITH scoped AS (
    SELECT *, coalesce(place, source_country) AS scope
    FROM current_figures_in(NULL, months)
    WHERE victim_group IS NOT NULL AND perpetrator IS NOT NULL
),
disputed AS (  -- claims stated with more than one count: the only ones worth pairing
    SELECT metric, victim_group, perpetrator, scope, period_start, period_end
    FROM scoped
    GROUP BY ALL
    HAVING min(count) <> max(count)
        OR count(DISTINCT coalesce(count_high, -1)) > 1
),
candidates AS (
    SELECT s.*
    FROM scoped s
    JOIN disputed d
      ON d.metric = s.metric AND d.victim_group = s.victim_group
     AND d.perpetrator = s.perpetrator AND d.scope IS NOT DISTINCT FROM s.scope
     AND d.period_start = s.period_start AND d.period_end = s.period_end
)
SELECT
    a.metric,
    a.victim_group,
    a.perpetrator,
    a.place,
    a.period_start,
    a.period_end,
    a.count AS count_a,
    a.count_high AS count_high_a,
    a.qualifier AS qualifier_a,
    b.count AS count_b,
    b.count_high AS count_high_b,
    b.qualifier AS qualifier_b,
    b.count - a.count AS difference,
    a.source_id <> b.source_id AS across_sources,
    (a.qualifier IN ('at_least', 'more_than') AND b.count >= a.count)
        OR (b.qualifier IN ('at_least', 'more_than') AND a.count >= b.count)
        OR (a.qualifier = 'range' AND b.count BETWEEN a.count AND a.count_high)
        OR (b.qualifier = 'range' AND a.count BETWEEN b.count AND b.count_high)
        AS qualifiers_reconcile,
    a.source_id AS source_a,
    a.url AS url_a,
    a.sha256 AS sha256_a,
    a.parser AS parser_a,
    a.locator AS locator_a,
    a.snippet AS snippet_a,
    a.figure_id AS figure_a,
    b.source_id AS source_b,
    b.url AS url_b,
    b.sha256 AS sha256_b,
    b.parser AS parser_b,
    b.locator AS locator_b,
    b.snippet AS snippet_b,
    b.figure_id AS figure_b
FROM candidates a
JOIN candidates b
  ON a.metric = b.metric
 AND a.victim_group = b.victim_group
 AND a.perpetrator = b.perpetrator
 AND a.scope IS NOT DISTINCT FROM b.scope
 AND a.period_start = b.period_start
 AND a.period_end = b.period_end
 AND a.sha256 < b.sha256
WHERE a.count <> b.count OR a.count_high IS DISTINCT FROM b.count_high;

CREATE OR REPLACE VIEW figure_conflicts_live AS SELECT * FROM figure_conflicts_in(NULL);

COMMENT ON VIEW figure_conflicts_live IS 'The same claim (metric, victim group, perpetrator, place, period; a figure that names no place covers its source''s country) stated with different counts by two different documents (current versions only), e.g. a monitor''s release and a news repost quoting it wrongly, with both provenances side by side.';
COMMENT ON COLUMN figure_conflicts_live.count_a IS 'Count stated by document a.';
COMMENT ON COLUMN figure_conflicts_live.count_high_a IS 'High end of a range stated by document a.';
COMMENT ON COLUMN figure_conflicts_live.qualifier_a IS 'Qualifier of document a''s count.';
COMMENT ON COLUMN figure_conflicts_live.count_b IS 'Count stated by document b.';
COMMENT ON COLUMN figure_conflicts_live.count_high_b IS 'High end of a range stated by document b.';
COMMENT ON COLUMN figure_conflicts_live.qualifier_b IS 'Qualifier of document b''s count.';
COMMENT ON COLUMN figure_conflicts_live.difference IS 'count_b - count_a.';
COMMENT ON COLUMN figure_conflicts_live.across_sources IS 'True when the two documents come from different sources.';
COMMENT ON COLUMN figure_conflicts_live.qualifiers_reconcile IS 'True when the qualifiers make both statements possible (at least 100 vs 105; a range containing the other count).';
COMMENT ON COLUMN figure_conflicts_live.source_a IS 'Source of document a.';
COMMENT ON COLUMN figure_conflicts_live.url_a IS 'URL of document a.';
COMMENT ON COLUMN figure_conflicts_live.sha256_a IS 'SHA-256 of document a.';
COMMENT ON COLUMN figure_conflicts_live.parser_a IS 'Parser that read figure a.';
COMMENT ON COLUMN figure_conflicts_live.locator_a IS 'Where figure a sits in document a.';
COMMENT ON COLUMN figure_conflicts_live.snippet_a IS 'Text figure a was read from.';
COMMENT ON COLUMN figure_conflicts_live.figure_a IS 'Figure id in document a.';
COMMENT ON COLUMN figure_conflicts_live.source_b IS 'Source of document b.';
COMMENT ON COLUMN figure_conflicts_live.url_b IS 'URL of document b.';
COMMENT ON COLUMN figure_conflicts_live.sha256_b IS 'SHA-256 of document b.';
COMMENT ON COLUMN figure_conflicts_live.parser_b IS 'Parser that read figure b.';
COMMENT ON COLUMN figure_conflicts_live.locator_b IS 'Where figure b sits in document b.';
COMMENT ON COLUMN figure_conflicts_live.snippet_b IS 'Text figure b was read from.';
COMMENT ON COLUMN figure_conflicts_live.figure_b IS 'Figure id in document b.';

CREATE OR REPLACE MACRO monthly_toll_in(source_ids, months) AS TABLE
WITH candidates AS (
    SELECT f.*
    FROM current_figures_in(source_ids, months) f
    WHERE f.metric = 'killed'
      AND f.period_precision = 'month'
      AND (f.place IS NULL OR regexp_full_match(f.place, '[A-Z]{2}'))
      AND f.victim_group IS NOT NULL
      AND f.perpetrator IS NOT NULL
),
claims AS (
    SELECT
        source_id,
        period_start,
        perpetrator,
        victim_group,
        arg_min(figure_id, preference) AS figure_id,
        count(DISTINCT sha256) AS documents_stating,
        count(DISTINCT count) AS distinct_counts
    FROM candidates
    GROUP BY source_id, period_start, perpetrator, victim_group
)
SELECT
    c.source_id,
    c.period_start AS month,
    c.perpetrator,
    c.victim_group,
    f.count,
    f.count_high,
    f.qualifier,
    c.documents_stating,
    c.distinct_counts,
    f.figure_id,
    f.sha256,
    f.url,
    f.parser,
    f.snippet
FROM claims c
JOIN current_figures_in(source_ids, months) f ON f.figure_id = c.figure_id;

CREATE OR REPLACE VIEW monthly_toll_live AS SELECT * FROM monthly_toll_in(NULL, NULL);

COMMENT ON VIEW monthly_toll_live IS 'People killed per month: one row per (source, month, perpetrator, victim group), nationwide. When several figures state the same claim (a PDF table and the press release, or two tables'' totals rows), one is chosen: PDF tables first, then HTML tables, then prose; then the most recently published document. perpetrator = all_parties rows are the sources'' own totals: leave them out when summing perpetrators, and never add children or women to civilians (they are part of them).';
COMMENT ON COLUMN monthly_toll_live.month IS 'First day of the month.';
COMMENT ON COLUMN monthly_toll_live.documents_stating IS 'How many documents state a figure for this row''s claim.';
COMMENT ON COLUMN monthly_toll_live.distinct_counts IS 'How many different counts those documents state (more than 1: see figure_conflicts).';
COMMENT ON COLUMN monthly_toll_live.url IS 'URL of the document the chosen figure comes from.';
