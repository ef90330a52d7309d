"""Load and serve stage of toll: the DuckDB warehouse (schema, migrations, loads, checks, views).

Nothing here parses documents or touches the network.
"""
