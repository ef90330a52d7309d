"""The contracts between stages: what a parser receives, what it yields, and the normalized record.

These are plain frozen dataclasses so they pickle across worker processes and compare by value
in golden tests.
"""

from __future__ import annotations

import hashlib
import json
import sysconfig
import traceback
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

if TYPE_CHECKING:
    from parsers.periods import Period

MediaType = Literal["application/pdf", "text/html", "text/plain"]
MEDIA_TYPES: tuple[str, ...] = ("application/pdf", "text/html", "text/plain")

QUALIFIERS: tuple[str, ...] = (
    "exact",
    "at_least",
    "more_than",
    "approximately",
    "at_most",
    "less_than",
    "range",
)
CERTAINTIES: tuple[str, ...] = ("stated", "believed", "unknown")
# How a figure's perpetrator was decided: its own clause, its sentence (a subject shared by
# coordinated verbs), a section heading or list label, a reference to a party named before
# ("the group", "these attacks"), the document's headline, nothing (no party named: a total
# over all parties), or ambiguous (several parties in reach and the grammar cannot decide).
ATTRIBUTIONS: tuple[str, ...] = (
    "clause", "sentence", "heading", "coreference", "document", "none", "ambiguous", "table",
)  # fmt: skip


class ParseError(Exception):
    """The one exception a parser may raise: the document cannot be read by this parser."""


MAX_ERROR_CHARS = 300  # a hostile document must not fill the log with its own text
_CHECKOUT = Path(__file__).resolve().parent.parent
_STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, then what it wraps: `raise ... from`, and pdfplumber's habit of carrying
    pdfminer's exception as its first argument."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        wrapped = current.args[0] if current.args else None
        current = current.__cause__ or (wrapped if isinstance(wrapped, BaseException) else None)


def describe_failure(error: BaseException) -> str:
    """Why a parser failed, in one short line: too deeply nested, out of memory, a document
    library giving up on the bytes, or a bug in toll's own parser code (with where)."""
    causes = list(_causes(error))
    root = causes[-1]
    if any(isinstance(e, RecursionError) for e in causes):
        message = "document nested too deeply (RecursionError)"
    elif any(isinstance(e, MemoryError) for e in causes):
        message = "ran out of memory reading the document (over the memory budget?)"
    else:
        frames = traceback.extract_tb(root.__traceback__) or traceback.extract_tb(
            error.__traceback__
        )
        detail = f"{type(root).__name__}: {root}".rstrip(": ")
        ours = [f for f in frames if not Path(f.filename).resolve().is_relative_to(_STDLIB)]
        where = ours[-1] if ours else None
        library = _installed_package(Path(where.filename)) if where else None
        if library:
            message = f"{library} could not read the document: {detail}"
        elif where:
            message = f"parser bug at {_shown(Path(where.filename))}:{where.lineno}: {detail}"
        else:
            message = f"could not read the document: {detail}"
    if len(message) > MAX_ERROR_CHARS:
        message = message[: MAX_ERROR_CHARS - 1] + "…"
    return message


def _shown(path: Path) -> str:
    """A source path as a maintainer reads it: relative to the checkout when inside it."""
    resolved = path.resolve()
    if resolved.is_relative_to(_CHECKOUT):
        return resolved.relative_to(_CHECKOUT).as_posix()
    return path.name


def _installed_package(path: Path) -> str | None:
    """The installed package a source file belongs to ('pdfminer', 'bs4'), if it is one."""
    parts = path.parts
    if "site-packages" in parts and parts.index("site-packages") + 1 < len(parts):
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    return None


@contextmanager
def only_parse_errors() -> Iterator[None]:
    """Let nothing but ParseError out of a block that reads a document.

    A hostile or broken document makes pdfminer, pdfplumber, lxml or BeautifulSoup raise
    whatever they raise (KeyError, TypeError, RecursionError, ...), and a parser bug raises
    anything; either way it is one document this parser cannot read, so it becomes a
    ParseError that says which (see `describe_failure`), and the run records it and goes on.
    """
    try:
        yield
    except ParseError:
        raise
    except Exception as error:  # the point: every failure becomes the one documented type
        raise ParseError(describe_failure(error)) from error


@dataclass(frozen=True)
class Document:
    """A fetched document as a parser sees it: bytes plus what the fetch and the feed told us."""

    url: str
    source: str
    media_type: str
    content: bytes
    sha256: str
    fetched_at: datetime
    title: str | None = None
    published: date | None = None
    country: str | None = None  # ISO 3166 alpha-2 of the source's country, when configured
    charset: str | None = None  # the charset of the HTTP Content-Type, when the server sent one

    @classmethod
    def from_bytes(
        cls,
        content: bytes,
        *,
        url: str,
        source: str,
        media_type: str,
        fetched_at: datetime,
        title: str | None = None,
        published: date | None = None,
        country: str | None = None,
        charset: str | None = None,
    ) -> Document:
        """Build a document, computing its content hash."""
        return cls(
            url=url,
            source=source,
            media_type=media_type,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            fetched_at=fetched_at,
            title=title,
            published=published,
            country=country,
            charset=charset,
        )


@dataclass(frozen=True)
class Locator:
    """Where in the document a number was read: a table cell, an HTML element or a text span."""

    kind: Literal["pdf_table", "html_table", "pdf_text", "html_text", "text"]
    page: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    css_path: str | None = None
    char_start: int | None = None
    char_end: int | None = None
    parent_note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The locator as a JSON-ready dict without empty fields."""
        data = {name: getattr(self, name) for name in _LOCATOR_FIELDS}
        if self.bbox is not None:
            data["bbox"] = [round(v, 2) for v in self.bbox]
        return {k: v for k, v in data.items() if v is not None}

    def describe(self) -> str:
        """A short human-readable description, e.g. 'page 2, table 1, row 3, col 2'."""
        parts = []
        for name in ("page", "table", "row", "col"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name} {value}")
        if self.css_path:
            parts.append(self.css_path)
        if self.char_start is not None:
            parts.append(f"chars {self.char_start}-{self.char_end}")
        return f"{self.kind}: " + ", ".join(parts)


_LOCATOR_FIELDS = tuple(f.name for f in fields(Locator))


@dataclass(frozen=True)
class Figure:
    """One number, one claim, as a parser read it; vocabulary values are still raw strings.

    `parent` is the index, in the same parse result, of the figure this one breaks down
    ("93 civilians, including 21 children": the children figure points at the civilians one).
    A parser that resolved the period gives its dates; otherwise normalization reads
    `period_raw` against the document's publication date.
    """

    metric: str
    count: int
    qualifier: str
    victim_raw: str
    perpetrator_raw: str | None
    period_raw: str | None
    place_raw: str | None
    locator: Locator
    snippet: str
    count_high: int | None = None
    parent: int | None = None
    certainty: str = "stated"
    attribution: str = "none"
    period_start: date | None = None
    period_end: date | None = None
    period_precision: str | None = None

    def with_period(self, period: Period | None) -> Figure:
        """The figure with its period resolved (raw text, dates and precision)."""
        if period is None:
            return replace(self, period_raw=None, period_start=None, period_end=None,
                           period_precision=None)  # fmt: skip
        return replace(
            self,
            period_raw=period.raw,
            period_start=period.start,
            period_end=period.end,
            period_precision=period.precision,
        )


@dataclass(frozen=True)
class FigureRecord:
    """A figure after normalization: canonical ids beside the raw strings, plus provenance."""

    figure_id: str
    sha256: str
    source: str
    url: str
    parser: str
    parser_version: str
    metric: str
    count: int
    count_high: int | None
    qualifier: str
    victim_group: str | None
    victim_raw: str
    perpetrator: str | None
    perpetrator_raw: str | None
    place: str | None
    place_raw: str | None
    period_start: date | None
    period_end: date | None
    period_raw: str | None
    period_precision: str | None
    certainty: str
    attribution: str
    parent_figure_id: str | None
    locator: dict[str, Any] = field(hash=False)
    snippet: str = ""

    def as_json(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings)."""
        data = asdict(self)
        for key in ("period_start", "period_end"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data


def shift_parents(figures: list[Figure], offset: int) -> list[Figure]:
    """Figures whose `parent` indexes are moved by `offset`, for appending them to a longer
    list (parsers build figures table by table, page by page)."""
    if offset == 0:
        return figures
    return [replace(f, parent=f.parent + offset) if f.parent is not None else f for f in figures]


class _HasParent(Protocol):
    @property
    def parent(self) -> int | None:
        """Index of the item this one breaks down."""


_Linked = TypeVar("_Linked", bound=_HasParent)


def without_items(items: Sequence[_Linked], dropped: Collection[int]) -> list[_Linked]:
    """The items (figures, or the grammar's frames) not dropped, each `parent` index moved to
    where its parent now is; a part whose parent was dropped keeps its own count and loses
    only the link. Negative parents (a marker, not an index) are kept as they are."""
    if not dropped:
        return list(items)
    new_index: dict[int, int] = {}
    kept: list[_Linked] = []
    for index, item in enumerate(items):
        if index not in dropped:
            new_index[index] = len(kept)
            kept.append(item)
    return [
        replace(item, parent=new_index.get(item.parent))  # type: ignore[type-var]
        if item.parent is not None and item.parent >= 0
        else item
        for item in kept
    ]


def figure_id_for(sha256: str, parser: str, figure: Figure) -> str:
    """Deterministic id of a claim: same document, parser, place in it and raw dimensions."""
    key = json.dumps(
        [
            sha256,
            parser,
            figure.locator.as_dict(),
            figure.metric,
            figure.victim_raw,
            figure.perpetrator_raw,
            figure.place_raw,
            figure.period_raw,
        ],
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(key.encode()).hexdigest()[:24]
