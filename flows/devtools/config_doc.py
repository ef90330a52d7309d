"""docs/configuration.md, generated from the configuration models of flows/config.py: every
key of `sources.toml` with its type, default, allowed values and what it does (the field's
docstring). The page cannot drift from the code: tests/flows/test_configuration_doc.py fails
when it is stale, and `python -m flows.devtools.config_doc` rewrites it.
"""

from __future__ import annotations

import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from flows.config import (
    CONFIG_ENV,
    FetchSettings,
    ListingConfig,
    LoadSettings,
    ParseSettings,
    ReportSettings,
    SourceConfig,
    TollConfig,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
COMMAND = ".venv/bin/python -m flows.devtools.config_doc"

# (heading, model), in the order of a sources file.
SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("`[fetch]`", FetchSettings),
    ("`[parse]`", ParseSettings),
    ("`[load]`", LoadSettings),
    ("`[report]`", ReportSettings),
    ("`[[sources]]`", SourceConfig),
    ("`listings` of a source (inline tables)", ListingConfig),
)

INTRO = f"""# Configuration: `sources.toml`

Generated from the configuration models in `flows/config.py` (each key's text is its
docstring there); do not edit by hand. Regenerate with `{COMMAND}`
(`tests/flows/test_configuration_doc.py` fails when this page is stale).

toll reads the sources file named by `--config`, else `${CONFIG_ENV}`, else `./sources.toml`,
else the one shipped with toll. Unknown keys are errors (a misspelt key would otherwise be
ignored silently), and so are values outside the allowed range. Every section but
`[[sources]]` is optional.
"""


def type_name(annotation: Any) -> str:
    """A field's type as a reader of TOML names it: `float`, `list of str`, `str or none`."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(
            "none" if arg is type(None) else type_name(arg) for arg in typing.get_args(annotation)
        )
    if origin is list:
        (item,) = typing.get_args(annotation)
        return f"list of {type_name(item)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    return getattr(annotation, "__name__", str(annotation))


def default_text(field: FieldInfo) -> str:
    """The default as it would be written in TOML, or *required*."""
    if field.is_required():
        return "*required*"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, list):
        return "`[" + ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in value) + "]`"
    return f"`{value}`"


def allowed_text(field: FieldInfo) -> str:
    """The constraints on a value: bounds, a minimum length, a pattern."""
    bounds = (  # the attribute of each annotated_types constraint pydantic keeps
        ("gt", "> {}"),
        ("ge", "≥ {}"),
        ("lt", "< {}"),
        ("le", "≤ {}"),
        ("min_length", "at least {} item(s)"),
    )
    parts = []
    for item in field.metadata:
        parts += [text.format(getattr(item, key)) for key, text in bounds if hasattr(item, key)]
        pattern = getattr(item, "pattern", None)
        if pattern:
            parts.append(f"matches `{pattern}`")
    return ", ".join(parts)


def cell(text: str) -> str:
    """Text fit for one Markdown table cell: one line, pipes escaped."""
    return re.sub(r"\s+", " ", text).strip().replace("|", "\\|")


def section(header: str, model: type[BaseModel]) -> str:
    """One model's keys as a Markdown table under its TOML header."""
    lines = [
        f"## {header}",
        "",
        cell(model.__doc__ or ""),
        "",
        "| key | type | default | allowed | what it does |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, field in model.model_fields.items():
        row = (
            f"`{name}`",
            type_name(field.annotation),
            default_text(field),
            allowed_text(field),
            cell(field.description or ""),
        )
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def documented_models() -> set[type[BaseModel]]:
    """Every model a sources file can contain, found by walking TollConfig's fields."""
    found: set[type[BaseModel]] = set()
    pending: list[Any] = [TollConfig]
    while pending:
        annotation = pending.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.add(annotation)
                pending.extend(f.annotation for f in annotation.model_fields.values())
        else:
            pending.extend(typing.get_args(annotation))
    return found - {TollConfig}


def render() -> str:
    """The whole page."""
    return "\n".join([INTRO, *(section(header, model) for header, model in SECTIONS)])


def main() -> None:
    """Rewrite docs/configuration.md (or the path given as the first argument)."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DOC
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
