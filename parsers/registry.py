"""The parser registry: which parsers exist, which ones claim a document, and running them.

A parser is a module in `parsers/formats/` exposing `PARSER = Parser(...)`, or any object
registered under the `toll.parsers` entry point group by another package. Specific parsers
(tied to sources or URL patterns) are preferred; when none claims a document, every generic
parser for its media type runs.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points

from parsers import formats
from parsers.model import Document, Figure, FigureRecord, ParseError, only_parse_errors
from parsers.normalize import normalize_figures, plausible_figures

ENTRY_POINT_GROUP = "toll.parsers"


@dataclass(frozen=True)
class Parser:
    """A registered parser: a pure function from a document to figures, plus what it claims."""

    name: str
    version: str
    media_types: frozenset[str]
    parse: Callable[[Document], list[Figure]]
    description: str
    sources: frozenset[str] = frozenset()
    url_patterns: tuple[str, ...] = ()
    module: str = field(default="", compare=False)

    @property
    def specific(self) -> bool:
        """True when the parser is tied to sources or URL patterns."""
        return bool(self.sources or self.url_patterns)

    def accepts(self, document: Document) -> bool:
        """Whether this parser claims the document."""
        if document.media_type not in self.media_types:
            return False
        if self.sources and document.source not in self.sources:
            return False
        return not self.url_patterns or any(re.search(p, document.url) for p in self.url_patterns)

    def records(self, document: Document) -> list[FigureRecord]:
        """Parse and normalize one document: its records, or ParseError and nothing else
        (whatever a document library or a parser bug raises is turned into one)."""
        return self.read(document)[0]

    def read(self, document: Document) -> tuple[list[FigureRecord], list[str]]:
        """The document's records and a warning for each figure skipped as implausible."""
        with only_parse_errors():
            figures, warnings = plausible_figures(self.parse(document))
            return normalize_figures(figures, document, self.name, self.version), warnings


@dataclass(frozen=True)
class ParseOutcome:
    """What one parser made of one document: records, or the reason it failed."""

    parser: str
    parser_version: str
    records: tuple[FigureRecord, ...]
    error: str | None = None
    warnings: tuple[str, ...] = ()  # figures skipped, each with its reason

    @property
    def ok(self) -> bool:
        """True when the parser ran without error."""
        return self.error is None


@cache
def registered_parsers() -> tuple[Parser, ...]:
    """All parsers: the built-in format modules, then entry-point plugins, sorted by name."""
    found: dict[str, Parser] = {}
    for module_info in pkgutil.iter_modules(formats.__path__):
        module = importlib.import_module(f"{formats.__name__}.{module_info.name}")
        parser = getattr(module, "PARSER", None)
        if isinstance(parser, Parser):
            found[parser.name] = parser
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        parser = entry_point.load()
        if isinstance(parser, Parser):
            found.setdefault(parser.name, parser)
    return tuple(sorted(found.values(), key=lambda p: p.name))


def get_parser(name: str) -> Parser:
    """A parser by name (KeyError listing the known names if absent)."""
    for parser in registered_parsers():
        if parser.name == name:
            return parser
    known = ", ".join(p.name for p in registered_parsers())
    raise KeyError(f"no parser named {name!r}; known parsers: {known}")


def parsers_for(document: Document, only: Sequence[str] | None = None) -> list[Parser]:
    """The parsers that run on a document: the specific ones that claim it, else the generic."""
    candidates = [p for p in registered_parsers() if only is None or p.name in only]
    claiming = [p for p in candidates if p.accepts(document)]
    specific = [p for p in claiming if p.specific]
    return specific or [p for p in claiming if not p.specific]


def run_parser(parser: Parser, document: Document) -> ParseOutcome:
    """Run one parser; a document it cannot read is a failed outcome, never a crash."""
    try:
        records, warnings = parser.read(document)
    except ParseError as error:
        return ParseOutcome(parser.name, parser.version, (), f"ParseError: {error}")
    return ParseOutcome(parser.name, parser.version, tuple(records), warnings=tuple(warnings))


def parse_document(document: Document, only: Sequence[str] | None = None) -> list[ParseOutcome]:
    """Run every parser that claims the document."""
    return [run_parser(parser, document) for parser in parsers_for(document, only)]
