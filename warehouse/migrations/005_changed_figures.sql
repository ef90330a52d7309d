-- Issue 15: what is derived from the figures (the stored monthly_toll and figure_conflicts,
-- the quality checks) follows what a run changed instead of being recomputed over the whole
-- warehouse at every publish (40 s at ten million figures). Each load notes, in the same
-- transaction as its figures, which documents and months it changed; the run then refreshes
-- and checks only those, and clears the notes in the same transaction as the refresh. A crash
-- between the two leaves the notes for the next run.

CREATE TABLE changed_figures (
    sha256 VARCHAR,
    source_id VARCHAR,
    month DATE,
    run_id VARCHAR
);

COMMENT ON TABLE changed_figures IS 'Figures changed since the stored tables (monthly_toll, figure_conflicts) and the quality checks were last brought up to date: one row per document and month whose figures were added or replaced, or whose document got a newer version. Bookkeeping of the writer, normally empty in a published warehouse. A row with no sha256 and no source_id asks for everything to be recomputed; one with a source_id only, for that source.';
COMMENT ON COLUMN changed_figures.sha256 IS 'Document whose figures changed (NULL: a whole source, or everything).';
COMMENT ON COLUMN changed_figures.source_id IS 'Source of that document (NULL with sha256 NULL: everything).';
COMMENT ON COLUMN changed_figures.month IS 'First day of the period of the changed figures (figures.period_start); NULL when they state no period.';
COMMENT ON COLUMN changed_figures.run_id IS 'Run that made the change (NULL for an upgrade of toll that changed a definition).';

CREATE TABLE derived_state (
    name VARCHAR PRIMARY KEY,
    definition_sha256 VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ
);

COMMENT ON TABLE derived_state IS 'Which definitions the derived data were computed with: when an upgrade of toll changes the analyst views or the quality checks, everything derived is recomputed once.';
COMMENT ON COLUMN derived_state.name IS 'What is derived: views (the analyst views and stored tables) or checks.';
COMMENT ON COLUMN derived_state.definition_sha256 IS 'SHA-256 of the SQL that defines it.';
COMMENT ON COLUMN derived_state.updated_at IS 'When that definition was first applied to this warehouse.';
