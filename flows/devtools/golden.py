"""Golden tests of parsers: a fixture document in, the expected records (JSON) out.

Layout: `tests/golden/<parser>/<case>/` holds one `input.<pdf|html|txt>` and `expected.json`:
the parser's name and version, the document context (URL, source, publication date, title)
and the records. A parser whose output changes must also change its version, so that
`toll reparse` knows which figures to replace; `compare` reports which of the two happened.

The fixtures live in a checkout of the repository, not in the installed package (they are
tests, about 1 MB): `toll parsers new|test` find the checkout toll runs from (an editable
install) or the one the current folder is in, take `--root` otherwise, and without any of
them say in one line that they need a checkout.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from parsers.media import sniff_media_type
from parsers.model import Document
from parsers.registry import Parser, get_parser, run_parser
from warehouse.errors import UsageError

INSTALLED_AT = Path(__file__).resolve().parents[2]  # the checkout, for an editable install
GOLDEN = Path("tests") / "golden"
GOLDEN_ROOT = INSTALLED_AT / GOLDEN
FIXED_FETCH_TIME = datetime(2026, 1, 1, tzinfo=UTC)


class NeedsCheckout(UsageError):
    """A maintainer's command run where no checkout of the repository is to be found."""


def is_checkout(folder: Path) -> bool:
    """Whether `folder` is a checkout of toll: its pyproject.toml, parsers/formats/ and
    tests/golden/ (site-packages holds the first two packages' folders, never the third)."""
    return all((folder / part).exists() for part in ("pyproject.toml", "parsers/formats", GOLDEN))


def find_checkout(cwd: Path | None = None) -> Path:
    """The checkout toll runs from, else the one the current folder is in; NeedsCheckout
    when there is none (an installed toll run outside its repository)."""
    here = (cwd or Path.cwd()).resolve()
    for folder in (INSTALLED_AT, here, *here.parents):
        if is_checkout(folder):
            return folder
    raise NeedsCheckout(
        "this command needs a checkout of toll's repository (its parsers/formats/ and "
        "tests/golden/ folders): run it inside one, or pass --root"
    )


@dataclass(frozen=True)
class GoldenCase:
    """One fixture folder."""

    parser: str
    name: str
    folder: Path

    @property
    def input_path(self) -> Path:
        """The fixture document."""
        matches = sorted(self.folder.glob("input.*"))
        if len(matches) != 1:
            raise FileNotFoundError(f"{self.folder} needs exactly one input.* file")
        return matches[0]

    @property
    def expected_path(self) -> Path:
        """The expected output file."""
        return self.folder / "expected.json"

    def expected(self) -> dict[str, Any]:
        """The expected output (parser, version, document context, records)."""
        return json.loads(self.expected_path.read_text(encoding="utf-8"))


def golden_cases(root: Path = GOLDEN_ROOT, parser: str | None = None) -> list[GoldenCase]:
    """All fixture folders, optionally of one parser."""
    cases: list[GoldenCase] = []
    if not root.exists():
        return cases
    for parser_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if parser and parser_dir.name != parser:
            continue
        for case_dir in sorted(p for p in parser_dir.iterdir() if p.is_dir()):
            cases.append(GoldenCase(parser_dir.name, case_dir.name, case_dir))
    return cases


def _document(case: GoldenCase, context: dict[str, Any]) -> Document:
    content = case.input_path.read_bytes()
    published = context.get("published")
    return Document.from_bytes(
        content,
        url=context.get("url", f"https://example.org/golden/{case.parser}/{case.name}"),
        source=context.get("source", "golden"),
        media_type=sniff_media_type(content, None, case.input_path.name),
        fetched_at=FIXED_FETCH_TIME,
        title=context.get("title"),
        published=date.fromisoformat(published) if published else None,
    )


def actual_output(
    case: GoldenCase, context: dict[str, Any] | None = None, parser: Parser | None = None
) -> dict[str, Any]:
    """What the parser produces now, in the expected.json shape (`parser` overrides the
    registered one, for a module not installed yet)."""
    if context is None:
        context = case.expected().get("document", {}) if case.expected_path.exists() else {}
    parser = parser or get_parser(case.parser)
    outcome = run_parser(parser, _document(case, context))
    return {
        "parser": parser.name,
        "version": parser.version,
        "document": context,
        "error": outcome.error,
        "records": [r.as_json() for r in outcome.records],
    }


@dataclass(frozen=True)
class Comparison:
    """The verdict on one case."""

    case: GoldenCase
    ok: bool
    message: str
    diff: str = ""


def _lines(records: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records]


def compare(case: GoldenCase, parser: Parser | None = None) -> Comparison:
    """Check a case: same records, same version. The diff shows one record per line."""
    if not case.expected_path.exists():
        return Comparison(case, False, "no expected.json yet: run `toll parsers test --update`")
    expected = case.expected()
    actual = actual_output(case, expected.get("document", {}), parser)
    same_records = actual["records"] == expected["records"] and actual["error"] == expected.get(
        "error"
    )
    same_version = actual["version"] == expected["version"]
    diff = ""
    if not same_records:
        diff = "\n".join(
            difflib.unified_diff(
                _lines(expected["records"]),
                _lines(actual["records"]),
                "expected",
                "actual",
                lineterm="",
            )
        )
        if actual["error"] != expected.get("error"):
            diff = f"error: expected {expected.get('error')!r}, got {actual['error']!r}\n" + diff
    if same_records and same_version:
        return Comparison(case, True, "ok")
    if not same_records and same_version:
        return Comparison(
            case,
            False,
            f"output of {case.parser} {actual['version']} changed without a version bump: "
            "bump PARSER.version, then `toll parsers test --update`",
            diff,
        )
    if same_records:
        return Comparison(
            case,
            False,
            f"{case.parser} is now {actual['version']} (expected.json says "
            f"{expected['version']}): run `toll parsers test --update`",
        )
    return Comparison(
        case,
        False,
        f"{case.parser} {actual['version']} output differs from expected.json "
        f"({expected['version']}): review the diff, then `toll parsers test --update`",
        diff,
    )


def update(
    case: GoldenCase, context: dict[str, Any] | None = None, parser: Parser | None = None
) -> Path:
    """Rewrite a case's expected.json from the parser's current output."""
    data = actual_output(case, context, parser)
    case.expected_path.write_text(
        json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
    )
    return case.expected_path
