"""Read-only products of the published warehouse: explain (one figure's provenance), export
(Parquet, CSV, HXL), verify (the archive against the warehouse) and the HTML report.

They open `<home>/warehouse.duckdb` read-only (or take a connection to it), never the
writer's working copy; tests/test_architecture.py holds them to it."""
