"""Tools for toll's maintainers, not used by runs: golden tests of parsers and the scaffold
of a new parser (`toll parsers test|new`)."""
