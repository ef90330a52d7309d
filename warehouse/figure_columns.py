"""Figure records in the `figures` table's columnar layout: one Arrow table per parser run.

Parse workers build these tables where they parse (in parallel, a few figures at a time), so
the loader, the warehouse's single writer, receives columns it can insert as they are. The
columns a load adds (parse run, run, load time) are not here. No DuckDB, no I/O.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Sequence

import pyarrow as pa

from parsers.model import FigureRecord

SCHEMA = pa.schema(
    [
        ("figure_id", pa.string()),
        ("sha256", pa.string()),
        ("source_id", pa.string()),
        ("parser", pa.string()),
        ("parser_version", pa.string()),
        ("metric", pa.string()),
        ("count", pa.int64()),
        ("count_high", pa.int64()),
        ("qualifier", pa.string()),
        ("victim_group", pa.string()),
        ("victim_raw", pa.string()),
        ("perpetrator", pa.string()),
        ("perpetrator_raw", pa.string()),
        ("place", pa.string()),
        ("place_raw", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("period_raw", pa.string()),
        ("period_precision", pa.string()),
        ("certainty", pa.string()),
        ("attribution", pa.string()),
        ("parent_figure_id", pa.string()),
        ("locator", pa.string()),
        ("snippet", pa.string()),
    ]
)

# The record attribute behind each column (the record says `source`, the table `source_id`).
_ATTRIBUTES = tuple("source" if name == "source_id" else name for name in SCHEMA.names)
_values_of = operator.attrgetter(*_ATTRIBUTES)
_LOCATOR = SCHEMA.names.index("locator")

# Locators keep json.dumps' formatting with sorted keys: the stored text is compared.
locator_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def figure_columns(records: Sequence[FigureRecord]) -> pa.Table:
    """The records as an Arrow table of SCHEMA, built column by column (a C-level attribute
    fetch per record, then a transpose; no per-row dicts)."""
    if not records:
        return SCHEMA.empty_table()
    columns = list(zip(*map(_values_of, records), strict=True))
    columns[_LOCATOR] = tuple(map(locator_json, columns[_LOCATOR]))
    arrays = [
        pa.array(values, type=field.type) for values, field in zip(columns, SCHEMA, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def conforms(table: pa.Table) -> bool:
    """True when a table has the figure columns, in order, with their types."""
    return table.schema.equals(SCHEMA)
