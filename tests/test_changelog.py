"""Every parser version bump gets a line in CHANGELOG.md: a bump replaces that parser's
figures on `toll reparse`, so the people who read them must be told what changed."""

from __future__ import annotations

from pathlib import Path

from parsers.registry import registered_parsers

CHANGELOG = Path(__file__).resolve().parent.parent / "CHANGELOG.md"


def test_every_parser_version_has_a_changelog_line() -> None:
    text = CHANGELOG.read_text(encoding="utf-8")
    missing = [
        f"{p.name} {p.version}"
        for p in registered_parsers()
        if f"`{p.name}` {p.version}" not in text
    ]
    assert not missing, f"CHANGELOG.md has no line for: {', '.join(missing)}"
