-- The migration ledger, created before any migration runs.
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE schema_version IS 'Migrations applied to this warehouse, one row each; the highest version is the schema in force.';
COMMENT ON COLUMN schema_version.version IS 'Migration number (the NNN of warehouse/migrations/NNN_name.sql).';
COMMENT ON COLUMN schema_version.name IS 'Migration file name.';
COMMENT ON COLUMN schema_version.applied_at IS 'When the migration was applied (UTC).';
