"""The parser contract, under random and mutated input: every parser either returns records
(counts within bounds) or raises ParseError; never anything else, never a hang. The
normalizers (numbers, periods, vocabularies, figure normalization) never raise on what a
parser might hand them and never return nonsense."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.devtools.golden import golden_cases
from parsers.media import HTML, PDF, TEXT, sniff_media_type
from parsers.model import Document, Figure, FigureRecord, Locator, ParseError
from parsers.normalize import normalize_figures
from parsers.numbers import MAX_COUNT, NUMBER_WORDS, format_count, parse_count
from parsers.periods import parse_period
from parsers.registry import Parser, registered_parsers
from parsers.vocabulary import perpetrator_id, place_id, victim_group_id

HANG_SECONDS = 60  # far above any honest parse of these small inputs
PARSERS = {media: [p for p in registered_parsers() if media in p.media_types] for media in
           (PDF, HTML, TEXT)}  # fmt: skip
FIXTURES = [(c.input_path.read_bytes(), c.input_path.name) for c in golden_cases()]
PDF_FIXTURES = [f for f in FIXTURES if f[1].endswith(".pdf")]
TEXT_FIXTURES = [f for f in FIXTURES if not f[1].endswith(".pdf")]
WORDS = ["civilians", "children", "women", "killed", "including", "by", "Syrian", "regime",
         "forces", "Russian", "ISIS", "in", "Idlib", "Aleppo", "March", "2024", "at", "least",
         "–", "-", ",", ".", "\n", ":", "(", ")", "died", "under", "torture", "at the hands of",
         "قتل", "مدنيا", "١٢٣", "1,203", "0", "99999999999999999999", "a", "dozen",
         "million"]  # fmt: skip
TAGS = ["table", "tr", "td", "th", "div", "p", "span", "script", "style", "h2", "ul", "li",
        "br", "caption", "tbody", "template", "b"]  # fmt: skip
SETTINGS = settings(
    max_examples=40,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Hang(BaseException):
    """A parse took longer than HANG_SECONDS (a BaseException, so no parser can swallow it)."""


@contextlib.contextmanager
def hang_guard(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Fail, rather than wait forever, if the block does not finish (main thread only)."""

    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def document(content: bytes, name: str) -> Document:
    url = f"https://example.org/reports/{name}"
    return Document.from_bytes(
        content,
        url=url,
        source="property",
        media_type=sniff_media_type(content, None, url),
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        title=None,
        published=date(2024, 4, 1),
    )


def honours_contract(parser: Parser, item: Document) -> list[FigureRecord]:
    """Records within bounds, or ParseError; anything else (or a hang) fails the test."""
    with hang_guard():
        try:
            records = parser.records(item)
        except ParseError as error:
            assert str(error), "a ParseError must say why"
            return []
    assert all(isinstance(r, FigureRecord) for r in records)
    for record in records:
        assert 0 <= record.count <= MAX_COUNT
        assert record.count_high is None or 0 <= record.count_high <= MAX_COUNT
        assert record.snippet and record.figure_id
    return records


def every_parser(item: Document) -> None:
    for parser in PARSERS[item.media_type]:
        honours_contract(parser, item)


@st.composite
def mutated(draw, fixtures: list[tuple[bytes, str]]) -> tuple[bytes, str]:
    """A golden fixture with a few byte flips, insertions, deletions or a truncation."""
    content, name = draw(st.sampled_from(fixtures))
    data = bytearray(content)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "repeat"]))
        if kind == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 256))]
        elif kind == "truncate":
            del data[at:]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 512))] * draw(st.integers(2, 20))
    return bytes(data), name


@SETTINGS
@given(mutated(PDF_FIXTURES))
def test_mutated_pdfs(sample: tuple[bytes, str]) -> None:
    every_parser(document(*sample))


@SETTINGS
@given(mutated(TEXT_FIXTURES))
def test_mutated_html_and_text(sample: tuple[bytes, str]) -> None:
    every_parser(document(*sample))


@settings(SETTINGS, max_examples=60)
@given(st.binary(max_size=3000), st.sampled_from(["x.pdf", "x.html", "x.txt"]), st.booleans())
def test_random_bytes(content: bytes, name: str, header: bool) -> None:
    if header and name.endswith(".pdf"):
        content = b"%PDF-1.4\n" + content  # past the header check, into pdfminer
    every_parser(document(content, name))


@settings(SETTINGS, max_examples=100)
@given(st.lists(st.sampled_from(WORDS) | st.integers(0, 10**12).map(str), max_size=60))
def test_random_prose(words: list[str]) -> None:
    text = " ".join(words).encode()
    every_parser(document(text, "x.txt"))


def html_trees() -> st.SearchStrategy[str]:
    """Random HTML: nested tags with odd spans, text of numbers and report words."""
    text = st.lists(st.sampled_from(WORDS) | st.integers(0, 10**9).map(format_count),
                    max_size=8).map(" ".join)  # fmt: skip
    attributes = st.sampled_from(["", " rowspan='3'", " colspan='0'", " colspan='99999'",
                                  " rowspan='-1'", " colspan='x'",
                                  " onclick='alert(1)'"])  # fmt: skip

    def wrap(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.builds(
            lambda tag, attrs, inner, closed: (
                f"<{tag}{attrs}>{''.join(inner)}" + (f"</{tag}>" if closed else "")
            ),
            st.sampled_from(TAGS),
            attributes,
            st.lists(children, max_size=4),
            st.booleans(),
        )

    return st.recursive(text, wrap, max_leaves=40)


@settings(SETTINGS, max_examples=80)
@given(html_trees())
def test_random_html(body: str) -> None:
    every_parser(document(f"<html><body>{body}</body></html>".encode(), "x.html"))


# ------------------------------------------------------------------------ normalizers


@given(st.integers(0, MAX_COUNT), st.data())
def test_mutated_numerals_read_as_a_count_or_nothing(value: int, data) -> None:
    text = list(format_count(value))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        text.insert(at, data.draw(st.sampled_from(list(",. \u00a0-0123456789١x"))))
    result = parse_count("".join(text))
    assert result is None or 0 <= result <= MAX_COUNT


@given(st.lists(st.sampled_from([*sorted(NUMBER_WORDS), "and", "-"]), min_size=1, max_size=12))
def test_number_words_never_overflow(words: list[str]) -> None:
    result = parse_count(" ".join(words))
    assert result is None or 0 <= result <= MAX_COUNT


@given(
    st.lists(st.sampled_from(["in", "since", "between", "and", "the", "first", "half", "of",
                              "March", "May", "31", "1", "2011", "2024", "99999", "0", "Q1",
                              "end", "en", "octobre", "H2", "-", "to", "February", "29"]),
             max_size=10),
    st.dates(date(1990, 1, 1), date(2030, 12, 31)) | st.none(),
)  # fmt: skip
def test_periods_are_none_or_ordered(words: list[str], published: date | None) -> None:
    period = parse_period(" ".join(words), published)
    if period is not None and period.start and period.end:
        assert period.start <= period.end


@given(st.text(max_size=40))
def test_vocabularies_never_raise(label: str) -> None:
    for lookup in (perpetrator_id, victim_group_id, place_id):
        assert lookup(label) is None or isinstance(lookup(label), str)


@given(
    st.lists(
        st.builds(
            Figure,
            metric=st.sampled_from(["killed", "injured", "whatever"]),
            count=st.integers(-5, 10**20) | st.floats(allow_nan=True),
            qualifier=st.text(max_size=10),
            victim_raw=st.text(max_size=20),
            perpetrator_raw=st.none() | st.text(max_size=20),
            period_raw=st.none() | st.text(max_size=20),
            place_raw=st.none() | st.text(max_size=20),
            locator=st.builds(Locator, kind=st.just("text"), char_start=st.integers(0, 99)),
            snippet=st.text(min_size=1, max_size=20),
            parent=st.none() | st.integers(-3, 10),
        ),
        max_size=5,
    )
)
def test_normalizing_figures_gives_records_or_parse_error(figures: list[Figure]) -> None:
    item = document(b"x", "x.txt")
    try:
        records = normalize_figures(figures, item, "property", "1.0.0")
    except ParseError as error:
        assert "implausible count" in str(error)
        return
    assert all(0 <= r.count <= MAX_COUNT for r in records)
    ids = {r.figure_id for r in records}
    assert all(r.parent_figure_id is None or r.parent_figure_id in ids for r in records)
