"""Transform stage of toll: pure functions from a fetched document to normalized figure records.

Nothing in this package does I/O (beyond reading its own vocabulary data files), reads the
clock or touches the warehouse. Entry point: `parsers.registry.parse_document`.
"""
