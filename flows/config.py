"""toll's configuration, in one typed place: the sources file (`sources.toml`) and the data
folder (`--home`, `TOLL_HOME`, default `./data`).

Both are checked before any run starts (before Prefect's start-up), and a mistake is one
line naming the file, the key and the problem (`ConfigurationError`, exit 2).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from warehouse.errors import ConfigurationError, DataFolderError, UnknownSource

DEFAULT_HOME = Path("data")
HOME_ENV = "TOLL_HOME"
CONFIG_ENV = "TOLL_CONFIG"
CONFIG_NAME = "sources.toml"
REPOSITORY_CONFIG = Path(__file__).resolve().parent.parent / CONFIG_NAME


class FetchSettings(BaseModel):
    """How toll behaves on the network, for every source."""

    model_config = ConfigDict(extra="forbid")

    user_agent: str = "toll/0.1 (casualty-report ingest for researchers)"
    contact_url: str = "https://github.com/toll-project/toll"
    timeout_seconds: float = Field(30.0, gt=0)
    connect_timeout_seconds: float = Field(10.0, gt=0)
    max_bytes: int = Field(50 * 1024 * 1024, gt=0)
    max_attempts: int = Field(4, ge=1, le=10)
    backoff_seconds: float = Field(1.0, ge=0)
    max_backoff_seconds: float = Field(60.0, ge=0)
    max_retry_after_seconds: float = Field(300.0, ge=0)
    max_redirects: int = Field(5, ge=0, le=20)
    deadline_seconds: float = Field(300.0, gt=0)

    @property
    def user_agent_header(self) -> str:
        """The User-Agent sent: the product token plus a contact URL, as polite bots do."""
        if self.contact_url and self.contact_url not in self.user_agent:
            return f"{self.user_agent} (+{self.contact_url})"
        return self.user_agent


class ParseSettings(BaseModel):
    """How documents are parsed: the budget each one gets, and how many in parallel."""

    model_config = ConfigDict(extra="forbid")

    time_budget_seconds: float = Field(120.0, ge=0)
    memory_budget_mb: int = Field(1536, ge=0)
    workers: int | None = Field(None, ge=1)


class LoadSettings(BaseModel):
    """How a run writes to the warehouse: documents per transaction. A crash loses at most
    the batch being written (the next run redoes it); smaller batches commit more often."""

    model_config = ConfigDict(extra="forbid")

    batch_documents: int = Field(25, ge=1)


class ReportSettings(BaseModel):
    """The HTML report written at the end of each nightly run (`toll report`)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    path: str = "report.html"

    @field_validator("path")
    @classmethod
    def _inside_home(cls, path: str) -> str:
        parts = Path(path).parts
        if not parts or Path(path).is_absolute() or ".." in parts:
            raise ValueError("report path must be a relative path inside the data folder")
        return path


class ListingConfig(BaseModel):
    """A paginated HTML listing (a WordPress category page, say)."""

    model_config = ConfigDict(extra="forbid")

    url: str
    max_pages: int = Field(50, ge=1)
    next_selector: str | None = None


class SourceConfig(BaseModel):
    """One publisher: where its reports are listed and which links are reports."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    publisher: str
    homepage: str
    country: str | None = None
    languages: list[str] = ["en"]
    enabled: bool = True
    allowed_hosts: list[str]
    feeds: list[str] = []
    listings: list[ListingConfig] = []
    include: list[str] = Field(min_length=1)
    exclude: list[str] = []
    follow: list[str] = []
    rate_limit_per_second: float = Field(1.0, gt=0)
    max_concurrency: int = Field(2, ge=1, le=16)
    obey_robots: bool = True
    cadence_days: int = Field(45, ge=1)

    @field_validator("allowed_hosts")
    @classmethod
    def _lower_hosts(cls, hosts: list[str]) -> list[str]:
        if not hosts:
            raise ValueError("allowed_hosts must name at least one host")
        return [h.lower() for h in hosts]

    @field_validator("include", "exclude", "follow")
    @classmethod
    def _valid_patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:  # not a ValueError: pydantic would let it escape
                raise ValueError(f"bad regular expression {pattern!r}: {error}") from None
        return patterns

    @model_validator(mode="after")
    def _entry_points_allowed(self) -> SourceConfig:
        for url in self.entry_points:
            host = (urlsplit(url).hostname or "").lower()
            if host not in self.allowed_hosts:
                raise ValueError(f"{url}: host {host!r} is not in allowed_hosts")
        if not self.entry_points:
            raise ValueError("a source needs at least one feed or listing")
        return self

    @property
    def entry_points(self) -> list[str]:
        """Feed and listing URLs, in that order."""
        return [*self.feeds, *(listing.url for listing in self.listings)]

    def is_candidate(self, url: str) -> bool:
        """Whether a URL is a report of this source by its link rules and host."""
        host = (urlsplit(url).hostname or "").lower()
        if host not in self.allowed_hosts:
            return False
        if any(re.search(p, url) for p in self.exclude):
            return False
        return any(re.search(p, url) for p in self.include)

    def is_followed(self, url: str) -> bool:
        """Whether a link found inside a fetched report is itself a document to fetch."""
        host = (urlsplit(url).hostname or "").lower()
        return host in self.allowed_hosts and any(re.search(p, url) for p in self.follow)


class TollConfig(BaseModel):
    """The whole sources file."""

    model_config = ConfigDict(extra="forbid")

    fetch: FetchSettings = FetchSettings()
    parse: ParseSettings = ParseSettings()
    load: LoadSettings = LoadSettings()
    report: ReportSettings = ReportSettings()
    sources: list[SourceConfig]

    @model_validator(mode="after")
    def _unique_names(self) -> TollConfig:
        names = [s.name for s in self.sources]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"duplicate source names: {', '.join(sorted(duplicates))}")
        return self

    def selected(self, names: list[str] | None = None) -> list[SourceConfig]:
        """Enabled sources, or exactly the named ones (UnknownSource on an unknown name)."""
        if not names:
            return [s for s in self.sources if s.enabled]
        by_name = {s.name: s for s in self.sources}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise UnknownSource(
                f"unknown source(s): {', '.join(unknown)}; known: {', '.join(by_name)}"
            )
        return [by_name[n] for n in names]


def resolve_home(home: Path | str | None = None) -> Path:
    """The data folder: the option, else $TOLL_HOME, else ./data. It need not exist yet, but
    a file in its place is a DataFolderError, for every command."""
    chosen = home or os.environ.get(HOME_ENV) or DEFAULT_HOME
    path = Path(chosen).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise DataFolderError(f"data folder {path} is a file, not a folder (--home, {HOME_ENV})")
    return path


def writable_home(home: Path | str | None = None) -> Path:
    """The data folder of a command that writes (a run, the demo): created if missing, and
    proven writable by writing a temporary file, so a run never starts where it cannot end.
    (Permission bits alone would not do: they do not stop root, and say nothing of a
    read-only or full file system.)"""
    path = resolve_home(home)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataFolderError(
            f"cannot create the data folder {path}: {error.strerror or error}"
        ) from None
    try:
        with tempfile.TemporaryFile(dir=path, prefix=".toll-probe-"):
            pass
    except OSError as error:
        raise DataFolderError(
            f"cannot write to the data folder {path}: {error.strerror or error}"
        ) from None
    return path


def resolve_config_path(config: Path | str | None = None) -> Path:
    """The sources file: the option, else $TOLL_CONFIG, else ./sources.toml, else the one
    shipped with toll."""
    if config:
        return Path(config).expanduser().resolve()
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser().resolve()
    local = Path(CONFIG_NAME)
    if local.exists():
        return local.resolve()
    return REPOSITORY_CONFIG


def load_config(path: Path | str) -> TollConfig:
    """Read and validate a sources file; any mistake is a ConfigurationError of one line that
    names the file, the key and the problem."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigurationError(
            f"{path}: sources file not found (--config, {CONFIG_ENV})"
        ) from None
    except OSError as error:
        raise ConfigurationError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{path}: not valid TOML: {error}") from None
    try:
        return TollConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigurationError(describe_invalid(path, error, data)) from None


def describe_invalid(path: Path, error: ValidationError, data: dict[str, Any]) -> str:
    """One line for a sources file that does not validate: the file, where the first problem
    is (a source by its name) and what it is, plus how many more there are."""
    problems = error.errors()
    first = problems[0]
    where = _key_path(first["loc"], data)
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif first["type"] == "missing":
        message = "required key missing"
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return f"{path}: {where or 'the file'}: {message}{more}"


def _key_path(location: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """A validation error's location as a reader finds it in the file:
    `sources[snhr].include`."""
    parts: list[str] = []
    node: Any = data
    for step in location:
        if isinstance(step, int):
            name = node[step].get("name") if isinstance(node, list) and step < len(node) else None
            is_named = isinstance(name, str) and parts == ["sources"]
            parts[-1] += f"[{name}]" if is_named else f"[{step}]"
        else:
            parts.append(str(step))
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts)
