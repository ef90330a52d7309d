"""The options every `toll` command shares, defined once: where the data lives and which
sources file to read. (`\\[` keeps rich from reading "[default: ...]" as markup.)"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.config import CONFIG_ENV, HOME_ENV

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar=HOME_ENV,
        help="Data folder holding warehouse.duckdb and archive/ \\[default: ./data].",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar=CONFIG_ENV,
        help="Sources file \\[default: ./sources.toml, else the one shipped with toll].",
        show_default=False,
    ),
]
