"""Archive, load, validate and publish: the archive of raw bytes and the DuckDB warehouse
(schema, migrations, loading, checks, views); read-only products in `warehouse.outputs`.

Nothing here parses documents, touches the network or imports `flows`.
"""
