-- Extraction 2 (parser versions prose 2.0.0, html_tables 1.2.0, pdf_tables 1.2.0) says how
-- each perpetrator was decided, so an analyst can keep only stated attributions. The column
-- that held how firmly a perpetrator is stated is renamed `certainty`; `attribution` now
-- holds how it was decided. Parser runs keep the figures they skipped, with the reason.

ALTER TABLE figures RENAME COLUMN attribution TO certainty;
ALTER TABLE figures ADD COLUMN attribution VARCHAR DEFAULT 'not_recorded';
ALTER TABLE parse_runs ADD COLUMN warnings VARCHAR[];

COMMENT ON COLUMN figures.certainty IS 'How firmly the perpetrator is stated: stated, believed ("forces believed to be Russian") or unknown.';
COMMENT ON COLUMN figures.attribution IS 'How the perpetrator was decided: clause (named in the figure''s own clause: "killed by P", "P killed N"), sentence (elsewhere in its sentence), heading (a section heading or the headline), coreference ("the group", "they" resolved to a party named before), document (the party the whole release is about), table (a row or column label), none (no party named for it: a total over all parties), ambiguous (several parties in reach and the grammar cannot choose: all_parties, not a guess); not_recorded for figures loaded by parser versions before this column (toll reparse fills it). Keep only clause, sentence, table and heading to use stated attributions alone.';
COMMENT ON COLUMN parse_runs.warnings IS 'Figures the parser skipped and why (e.g. an implausible count such as "1 billion people"), one text per figure; NULL or empty when none. The rest of the document''s figures were kept.';
