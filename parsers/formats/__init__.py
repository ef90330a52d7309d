"""Format parsers: one module per report format, each exposing `PARSER`.

Adding a format is one module here, one fixture and one expected-output file under
`tests/golden/`; the registry finds the module by itself.
"""
