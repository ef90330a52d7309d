"""docs/configuration.md cannot go stale: it is the page flows/devtools/config_doc.py renders
from the configuration models, every key of every model has its text, and every key of the
shipped sources.toml is on it."""

from __future__ import annotations

import tomllib
from typing import Any

from flows.config import REPOSITORY_CONFIG
from flows.devtools.config_doc import COMMAND, DOC, SECTIONS, documented_models, render


def test_the_doc_is_the_rendered_models() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), f"stale: regenerate with `{COMMAND}`"


def test_every_model_of_the_sources_file_has_a_section() -> None:
    assert documented_models() == {model for _, model in SECTIONS}


def test_every_key_says_what_it_does() -> None:
    undocumented = [
        f"{model.__name__}.{name}"
        for _, model in SECTIONS
        for name, field in model.model_fields.items()
        if not (field.description or "").strip()
    ]
    assert undocumented == []


def _keys(value: Any) -> set[str]:
    """Every key of a TOML document, at any depth."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_the_shipped_sources_file_points_here_and_uses_documented_keys() -> None:
    text = REPOSITORY_CONFIG.read_text(encoding="utf-8")
    assert "docs/configuration.md" in text
    page = DOC.read_text(encoding="utf-8")
    named = {k for k in _keys(tomllib.loads(text)) if f"`{k}`" in page or f"`[{k}]`" in page}
    assert _keys(tomllib.loads(text)) - named == set()
    for key in ("allowed_hosts", "allow_private_addresses", "max_crawl_delay_seconds"):
        assert f"| `{key}` |" in page


def test_types_defaults_and_bounds_are_rendered() -> None:
    page = render()
    assert "| `max_attempts` | int | `4` | ≥ 1, ≤ 10 |" in page
    assert "| `allowed_hosts` | list of str | *required* |" in page
    assert "| `next_selector` | str or none | none |" in page
    assert "matches `^[a-z][a-z0-9_]*$`" in page
