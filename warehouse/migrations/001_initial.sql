-- toll warehouse schema v1.
-- Forward-only: never edit a migration that has shipped; add the next numbered file instead.
-- No foreign keys on purpose (DuckDB checks them over-eagerly on updates); the loader keeps
-- references whole and `toll verify` checks them.

CREATE TABLE sources (
    source_id      VARCHAR PRIMARY KEY,
    publisher      VARCHAR NOT NULL,
    homepage       VARCHAR,
    country        VARCHAR,
    languages      VARCHAR[],
    entry_points   VARCHAR[],
    allowed_hosts  VARCHAR[],
    updated_at     TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE sources IS 'One row per configured publisher (a monitor such as SNHR), as last configured in sources.toml.';
COMMENT ON COLUMN sources.source_id IS 'Short stable name of the source, as in sources.toml (e.g. snhr).';
COMMENT ON COLUMN sources.publisher IS 'Full name of the publishing organisation.';
COMMENT ON COLUMN sources.homepage IS 'Home page URL of the publisher.';
COMMENT ON COLUMN sources.country IS 'ISO 3166 alpha-2 code of the country the source reports on (e.g. SY).';
COMMENT ON COLUMN sources.languages IS 'Languages of the publications ingested (ISO 639-1 codes).';
COMMENT ON COLUMN sources.entry_points IS 'Feed and listing URLs discovery starts from.';
COMMENT ON COLUMN sources.allowed_hosts IS 'Host names toll may contact for this source (redirects elsewhere are refused).';
COMMENT ON COLUMN sources.updated_at IS 'When this configuration was last written to the warehouse.';

CREATE TABLE runs (
    run_id            VARCHAR PRIMARY KEY,
    flow              VARCHAR NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            VARCHAR NOT NULL,
    sources           VARCHAR[],
    discovered        INTEGER,
    fetched           INTEGER,
    not_modified      INTEGER,
    fetch_failed      INTEGER,
    parsed            INTEGER,
    parse_failed      INTEGER,
    figures_added     INTEGER,
    figures_replaced  INTEGER,
    quality_issues    INTEGER,
    failures          JSON,
    prefect_flow_run_id VARCHAR
);
COMMENT ON TABLE runs IS 'One row per flow run (nightly, backfill, reparse): when it ran, how it ended and what it did. Its run_id is the load id stamped on every row the run wrote.';
COMMENT ON COLUMN runs.run_id IS 'Load id of the run (time-ordered UUIDv7 text); figures.run_id and fetches.run_id point here.';
COMMENT ON COLUMN runs.flow IS 'Which flow ran: nightly, backfill or reparse.';
COMMENT ON COLUMN runs.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN runs.finished_at IS 'When the run finished (UTC); NULL while running or if it crashed.';
COMMENT ON COLUMN runs.status IS 'running, completed, partial (some sources or documents failed), failed, or abandoned (a crashed run found by the next one).';
COMMENT ON COLUMN runs.sources IS 'Sources the run covered.';
COMMENT ON COLUMN runs.discovered IS 'Candidate document URLs found by discovery.';
COMMENT ON COLUMN runs.fetched IS 'Documents downloaded with new or changed content (HTTP 200).';
COMMENT ON COLUMN runs.not_modified IS 'Documents the server reported unchanged (HTTP 304) or that came back with known bytes.';
COMMENT ON COLUMN runs.fetch_failed IS 'Documents that could not be fetched (see fetches.error).';
COMMENT ON COLUMN runs.parsed IS 'Parser runs that completed on a document.';
COMMENT ON COLUMN runs.parse_failed IS 'Parser runs that failed on a document (see parse_runs.error).';
COMMENT ON COLUMN runs.figures_added IS 'Figures inserted by this run.';
COMMENT ON COLUMN runs.figures_replaced IS 'Figures replaced by a newer parser version (reparse).';
COMMENT ON COLUMN runs.quality_issues IS 'Open quality findings after the run''s validation.';
COMMENT ON COLUMN runs.failures IS 'JSON list of {url, stage, error} for every failed document or source.';
COMMENT ON COLUMN runs.prefect_flow_run_id IS 'Id of the Prefect flow run, to find its logs and artifacts.';

CREATE TABLE fetches (
    fetch_id       VARCHAR PRIMARY KEY,
    run_id         VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL,
    url            VARCHAR NOT NULL,
    final_url      VARCHAR,
    requested_at   TIMESTAMPTZ NOT NULL,
    status_code    INTEGER,
    outcome        VARCHAR NOT NULL,
    etag           VARCHAR,
    last_modified  VARCHAR,
    content_type   VARCHAR,
    bytes          BIGINT,
    sha256         VARCHAR,
    attempts       INTEGER NOT NULL,
    duration_ms    INTEGER,
    error          VARCHAR
);
COMMENT ON TABLE fetches IS 'One row per HTTP download of a candidate document, successful or not: the log of what toll asked and what the server said.';
COMMENT ON COLUMN fetches.fetch_id IS 'Id of this fetch (UUIDv7 text).';
COMMENT ON COLUMN fetches.run_id IS 'Run that made the request (runs.run_id).';
COMMENT ON COLUMN fetches.source_id IS 'Source the URL belongs to (sources.source_id).';
COMMENT ON COLUMN fetches.url IS 'URL requested.';
COMMENT ON COLUMN fetches.final_url IS 'URL after redirects (only redirects within the source''s allowed hosts are followed).';
COMMENT ON COLUMN fetches.requested_at IS 'When the request was sent (UTC).';
COMMENT ON COLUMN fetches.status_code IS 'Final HTTP status code; NULL when no response arrived (timeout, reset, refused).';
COMMENT ON COLUMN fetches.outcome IS 'fetched (new content), unchanged (304 or known bytes) or failed.';
COMMENT ON COLUMN fetches.etag IS 'ETag header of the response, sent back as If-None-Match next time.';
COMMENT ON COLUMN fetches.last_modified IS 'Last-Modified header of the response, sent back as If-Modified-Since next time.';
COMMENT ON COLUMN fetches.content_type IS 'Content-Type header as served.';
COMMENT ON COLUMN fetches.bytes IS 'Size of the body received.';
COMMENT ON COLUMN fetches.sha256 IS 'SHA-256 of the body (documents.sha256); for a 304, the hash of the unchanged document; NULL on failure.';
COMMENT ON COLUMN fetches.attempts IS 'HTTP attempts made, retries included.';
COMMENT ON COLUMN fetches.duration_ms IS 'Wall time of the fetch including retries, in milliseconds.';
COMMENT ON COLUMN fetches.error IS 'Why the fetch failed, in words; NULL on success.';

CREATE TABLE documents (
    sha256         VARCHAR PRIMARY KEY,
    source_id      VARCHAR NOT NULL,
    url            VARCHAR NOT NULL,
    final_url      VARCHAR,
    media_type     VARCHAR NOT NULL,
    bytes          BIGINT NOT NULL,
    title          VARCHAR,
    published      DATE,
    first_seen     TIMESTAMPTZ NOT NULL,
    first_fetch_id VARCHAR NOT NULL,
    archive_path   VARCHAR NOT NULL
);
COMMENT ON TABLE documents IS 'One row per distinct document content (by SHA-256). The same URL fetched with new bytes is a new row: a new version; older versions stay.';
COMMENT ON COLUMN documents.sha256 IS 'SHA-256 of the raw bytes; also the archive file name.';
COMMENT ON COLUMN documents.source_id IS 'Source that published it (sources.source_id).';
COMMENT ON COLUMN documents.url IS 'URL this content was first fetched from.';
COMMENT ON COLUMN documents.final_url IS 'URL after redirects at that first fetch.';
COMMENT ON COLUMN documents.media_type IS 'application/pdf, text/html or text/plain, as sniffed from the bytes.';
COMMENT ON COLUMN documents.bytes IS 'Size in bytes.';
COMMENT ON COLUMN documents.title IS 'Title from the feed or listing, else from the document.';
COMMENT ON COLUMN documents.published IS 'Publication date from the feed or page metadata; resolves implicit years in periods.';
COMMENT ON COLUMN documents.first_seen IS 'When toll first fetched this content (UTC).';
COMMENT ON COLUMN documents.first_fetch_id IS 'The fetch that first brought this content (fetches.fetch_id).';
COMMENT ON COLUMN documents.archive_path IS 'Path of the raw bytes, relative to the data folder: archive/<sha256[:2]>/<sha256>.<ext>.';

CREATE TABLE parse_runs (
    parse_run_id   VARCHAR PRIMARY KEY,
    run_id         VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    parser         VARCHAR NOT NULL,
    parser_version VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,
    figure_count   INTEGER NOT NULL,
    error          VARCHAR,
    duration_ms    INTEGER,
    parsed_at      TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE parse_runs IS 'One row per parser run over a document (document, parser, version, run): the history kept across re-parses.';
COMMENT ON COLUMN parse_runs.parse_run_id IS 'Id of this parser run (UUIDv7 text).';
COMMENT ON COLUMN parse_runs.run_id IS 'Flow run it belonged to (runs.run_id).';
COMMENT ON COLUMN parse_runs.sha256 IS 'Document parsed (documents.sha256).';
COMMENT ON COLUMN parse_runs.parser IS 'Parser name (toll parsers list).';
COMMENT ON COLUMN parse_runs.parser_version IS 'Parser version; a new version re-parses and replaces that parser''s figures.';
COMMENT ON COLUMN parse_runs.status IS 'ok (figures extracted, possibly none) or failed.';
COMMENT ON COLUMN parse_runs.figure_count IS 'Figures the parser produced.';
COMMENT ON COLUMN parse_runs.error IS 'Why the parser failed, in words; NULL when ok.';
COMMENT ON COLUMN parse_runs.duration_ms IS 'Parse wall time in milliseconds.';
COMMENT ON COLUMN parse_runs.parsed_at IS 'When the parser ran (UTC).';

CREATE TABLE figures (
    figure_id        VARCHAR PRIMARY KEY,
    sha256           VARCHAR NOT NULL,
    source_id        VARCHAR NOT NULL,
    parser           VARCHAR NOT NULL,
    parser_version   VARCHAR NOT NULL,
    parse_run_id     VARCHAR NOT NULL,
    run_id           VARCHAR NOT NULL,
    metric           VARCHAR NOT NULL,
    victim_group     VARCHAR,
    perpetrator      VARCHAR,
    place            VARCHAR,
    period_start     DATE,
    period_end       DATE,
    period_precision VARCHAR,
    count            BIGINT NOT NULL,
    count_high       BIGINT,
    qualifier        VARCHAR NOT NULL,
    attribution      VARCHAR NOT NULL,
    parent_figure_id VARCHAR,
    victim_raw       VARCHAR,
    perpetrator_raw  VARCHAR,
    place_raw        VARCHAR,
    period_raw       VARCHAR,
    locator          JSON NOT NULL,
    snippet          VARCHAR NOT NULL,
    loaded_at        TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE figures IS 'One row per extracted number: one immutable claim made by one document, with canonical dimensions, the raw strings they came from and where in the document it was read.';
COMMENT ON COLUMN figures.figure_id IS 'Deterministic id: hash of document, parser, locator and raw dimensions. Re-running an ingest yields the same ids, so nothing is duplicated.';
COMMENT ON COLUMN figures.sha256 IS 'Document the figure was read from (documents.sha256).';
COMMENT ON COLUMN figures.source_id IS 'Source that published the document (sources.source_id).';
COMMENT ON COLUMN figures.parser IS 'Parser that read it.';
COMMENT ON COLUMN figures.parser_version IS 'Version of that parser.';
COMMENT ON COLUMN figures.parse_run_id IS 'Parser run that produced it (parse_runs.parse_run_id).';
COMMENT ON COLUMN figures.run_id IS 'Load id: the flow run that wrote this row (runs.run_id).';
COMMENT ON COLUMN figures.metric IS 'What is counted: killed, died_under_torture (a subset of killed), injured, casualties, detained, forcibly_disappeared, displaced; massacres and attacks count events, not people.';
COMMENT ON COLUMN figures.victim_group IS 'Canonical victim group: people, civilians, children, women, men, combatants, medical_personnel, civil_defense, medical_and_civil_defense, media_workers, refugees, detainees; NULL when the raw label is unknown (see victim_raw).';
COMMENT ON COLUMN figures.perpetrator IS 'Canonical perpetrator: all_parties (a total), syrian_regime, russia, syrian_russian_alliance, isis, hts, extremist_groups, sdf, armed_opposition, international_coalition, israel, turkey, other_parties; NULL when the raw label is unknown.';
COMMENT ON COLUMN figures.place IS 'Canonical place: ISO country code (SY) or first-level unit id (idlib, rural_damascus, ...); NULL when not stated or unknown (see place_raw).';
COMMENT ON COLUMN figures.period_start IS 'First day of the period the count covers.';
COMMENT ON COLUMN figures.period_end IS 'Last day of the period the count covers (for "since 2011", the publication date).';
COMMENT ON COLUMN figures.period_precision IS 'How the period was stated: day, month, quarter, half, year, range or open (since ...).';
COMMENT ON COLUMN figures.count IS 'The number; for a range, its low end.';
COMMENT ON COLUMN figures.count_high IS 'High end of a range ("1,204 – 1,577"); NULL otherwise.';
COMMENT ON COLUMN figures.qualifier IS 'exact, at_least ("at least", "no less than"), more_than, approximately, at_most, less_than or range.';
COMMENT ON COLUMN figures.attribution IS 'How firmly the perpetrator is stated: stated, believed ("forces believed to be Russian") or unknown.';
COMMENT ON COLUMN figures.parent_figure_id IS 'The figure this one breaks down ("93 civilians, including 21 children": the children row points at the civilians row). Never add a figure to its parent.';
COMMENT ON COLUMN figures.victim_raw IS 'Victim label exactly as written.';
COMMENT ON COLUMN figures.perpetrator_raw IS 'Perpetrator label exactly as written; NULL when the document names none (then perpetrator is all_parties).';
COMMENT ON COLUMN figures.place_raw IS 'Place label exactly as written.';
COMMENT ON COLUMN figures.period_raw IS 'Period phrase exactly as written (or the title''s, when the figure inherits it).';
COMMENT ON COLUMN figures.locator IS 'Where in the document: JSON with kind (pdf_table, html_table, pdf_text, html_text, text) and page, table, row, col, bbox, css_path or char_start/char_end.';
COMMENT ON COLUMN figures.snippet IS 'The exact text the number was read from, for a human to check.';
COMMENT ON COLUMN figures.loaded_at IS 'When the row was written (UTC).';

CREATE TABLE quality_issues (
    issue_id       VARCHAR PRIMARY KEY,
    check_name     VARCHAR NOT NULL,
    severity       VARCHAR NOT NULL,
    figure_id      VARCHAR,
    other_figure_id VARCHAR,
    sha256         VARCHAR,
    message        VARCHAR NOT NULL,
    first_found_run_id VARCHAR NOT NULL,
    first_found_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE quality_issues IS 'Findings of the consistency checks run after every load. Nothing is deleted because of a finding; a finding is recorded once (its id is deterministic).';
COMMENT ON COLUMN quality_issues.issue_id IS 'Deterministic id of the finding (hash of check and the figures or document involved).';
COMMENT ON COLUMN quality_issues.check_name IS 'Which check found it (e.g. subgroup_exceeds_group, unknown_vocabulary).';
COMMENT ON COLUMN quality_issues.severity IS 'error (the numbers contradict each other), warning (suspicious) or info.';
COMMENT ON COLUMN quality_issues.figure_id IS 'Figure concerned (figures.figure_id), if any.';
COMMENT ON COLUMN quality_issues.other_figure_id IS 'Second figure concerned, for findings comparing two figures.';
COMMENT ON COLUMN quality_issues.sha256 IS 'Document concerned (documents.sha256), if any.';
COMMENT ON COLUMN quality_issues.message IS 'What is wrong, in words, naming the figures involved.';
COMMENT ON COLUMN quality_issues.first_found_run_id IS 'Run whose validation first found it.';
COMMENT ON COLUMN quality_issues.first_found_at IS 'When it was first found (UTC).';
