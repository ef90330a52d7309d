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
DEFAULT_PORTS = {"http": 80, "https": 443}


def host_entry(entry: str) -> tuple[str, int | None]:
    """An `allowed_hosts` entry as (host, port): "127.0.0.1:8741" names one port, "snhr.org"
    only the scheme's default port (80 for http, 443 for https). Raises ValueError."""
    parts = urlsplit("//" + entry.strip().lower())
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"allowed_hosts entry {entry!r}: the port is not a number") from None
    if not parts.hostname or parts.path or parts.query or parts.fragment or parts.username:
        raise ValueError(f"allowed_hosts entry {entry!r}: give a host, or host:port")
    return parts.hostname, port


def url_host_port(url: str) -> tuple[str, int] | None:
    """(host, port) an http(s) URL reaches, the port defaulting to the scheme's; None for
    other schemes and malformed URLs."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def host_allowed(url: str, entries: list[str]) -> bool:
    """Whether a URL's host and port are named by one of the `allowed_hosts` entries."""
    target = url_host_port(url)
    if target is None:
        return False
    host, port = target
    scheme_port = DEFAULT_PORTS[urlsplit(url).scheme]
    for entry in entries:
        allowed_host, allowed_port = host_entry(entry)
        if allowed_host == host and port == (allowed_port or scheme_port):
            return True
    return False


class FetchSettings(BaseModel):
    """How toll behaves on the network, for every source."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    user_agent: str = "toll/0.1 (casualty-report ingest for researchers)"
    """The User-Agent product token; robots.txt rules are matched against it."""
    contact_url: str = "https://github.com/toll-project/toll"
    """Appended to the User-Agent as `(+URL)`, so a publisher can find who is fetching."""
    timeout_seconds: float = Field(30.0, gt=0)
    """Longest wait for any read from the server before the attempt fails (and is retried)."""
    connect_timeout_seconds: float = Field(10.0, gt=0)
    """Longest wait for a connection to open."""
    max_bytes: int = Field(50 * 1024 * 1024, gt=0)
    """Largest body kept, counted after Content-Encoding is decoded; a larger one is cut off
    and its fetch recorded as failed."""
    max_attempts: int = Field(4, ge=1, le=10)
    """Attempts per URL on connection errors, timeouts, HTTP 429 and 5xx."""
    backoff_seconds: float = Field(1.0, ge=0)
    """Wait before the second attempt; doubled for each next one, with jitter."""
    max_backoff_seconds: float = Field(60.0, ge=0)
    """Longest wait between two attempts."""
    max_retry_after_seconds: float = Field(300.0, ge=0)
    """Longest Retry-After toll honours; a server asking for more fails the fetch at once."""
    max_redirects: int = Field(5, ge=0, le=20)
    """Redirect hops followed per fetch; each hop must pass `allowed_hosts` and robots.txt."""
    deadline_seconds: float = Field(300.0, gt=0)
    """Longest time for one whole body to arrive: a body that trickles in is abandoned."""
    max_crawl_delay_seconds: float = Field(60.0, ge=0)
    """Largest robots.txt Crawl-delay obeyed; a host asking for more is skipped for the run,
    with a recorded failure (a delay of a day would hold the writer lock for a day)."""

    @property
    def user_agent_header(self) -> str:
        """The User-Agent sent: the product token plus a contact URL, as polite bots do."""
        if self.contact_url and self.contact_url not in self.user_agent:
            return f"{self.user_agent} (+{self.contact_url})"
        return self.user_agent


class ParseSettings(BaseModel):
    """How documents are parsed: the budget each one gets, and how many in parallel."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    time_budget_seconds: float = Field(120.0, ge=0)
    """Wall-clock seconds one document may take to parse; above it the parse is killed and
    recorded as failed for that document. 0 turns the budget off."""
    memory_budget_mb: int = Field(1536, ge=0)
    """Memory (MiB) one document's parse may take; above it the parse is killed and recorded
    as failed for that document. 0 turns the budget off."""
    workers: int | None = Field(None, ge=1)
    """Not read by any run yet: the number of parse workers comes from `--workers` (default:
    one per core)."""


class LoadSettings(BaseModel):
    """How a run writes to the warehouse: documents per transaction. A crash loses at most
    the batch being written (the next run redoes it); smaller batches commit more often."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    batch_documents: int = Field(25, ge=1)
    """Documents whose figures are written in one transaction."""


class ReportSettings(BaseModel):
    """The HTML report written at the end of each nightly run (`toll report`)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    enabled: bool = False
    """Write the report after each nightly run (and link it from the Prefect run as the
    artifact `toll-report`)."""
    path: str = "report.html"
    """Where, relative to the data folder (an absolute path or `..` is refused)."""

    @field_validator("path")
    @classmethod
    def _inside_home(cls, path: str) -> str:
        parts = Path(path).parts
        if not parts or Path(path).is_absolute() or ".." in parts:
            raise ValueError("report path must be a relative path inside the data folder")
        return path


class ListingConfig(BaseModel):
    """A paginated HTML listing (a WordPress category page, say)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    url: str
    """The listing's first (newest) page; its host and port must be in `allowed_hosts`."""
    max_pages: int = Field(50, ge=1)
    """Pages read at most per run: a nightly run stops at the first page without a new report
    link, a backfill walks on to the last."""
    next_selector: str | None = None
    """CSS selector of the link to the next (older) page; without it, `rel=next`, a link of
    class `next`, or a link whose text says next."""


class SourceConfig(BaseModel):
    """One publisher: where its reports are listed and which links are reports."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """The source's id in the warehouse (`source_id`) and for `--source`; unique."""
    publisher: str
    """The publisher's name, as readers know it."""
    homepage: str
    """The publisher's home page (recorded, never fetched)."""
    country: str | None = None
    """ISO 3166 alpha-2 code of the country the source reports on; parsers get it as context."""
    languages: list[str] = ["en"]
    """Languages of its reports (ISO 639-1), recorded in `sources`."""
    enabled: bool = True
    """Whether `toll ingest` without `--source` runs it."""
    allowed_hosts: list[str]
    """Hosts toll may request, redirects and robots.txt included. An entry is `host` (only
    the scheme's default port, 80 or 443) or `host:port` (only that port)."""
    feeds: list[str] = []
    """RSS or Atom feeds listing new reports."""
    listings: list[ListingConfig] = []
    """Paginated HTML listings (inline tables, keys below). A source needs a feed or a
    listing."""
    include: list[str] = Field(min_length=1)
    """Regular expressions (searched in the URL): a link matching one is a report."""
    exclude: list[str] = []
    """Regular expressions: a link matching one is never a report, even if included."""
    follow: list[str] = []
    """Regular expressions: links inside a fetched report that are documents to fetch too
    (its PDF, say)."""
    rate_limit_per_second: float = Field(1.0, gt=0)
    """Requests per second to the source's hosts, at most."""
    max_concurrency: int = Field(2, ge=1, le=16)
    """Requests in flight to the source at once, at most."""
    obey_robots: bool = True
    """Obey robots.txt (RFC 9309, with Crawl-delay); turn off only with the publisher's
    consent."""
    allow_private_addresses: bool = False
    """Allow hosts that resolve to loopback, private, link-local or reserved addresses
    (refused by default: a public name pointing inside the network is an attack). The demo
    and the tests set it for 127.0.0.1."""
    cadence_days: int = Field(45, ge=1)
    """Days between two reports of the publisher, as expected: a source that has published
    nothing new for longer is a `stale_source` finding, an alarm under the run's summary."""

    @field_validator("allowed_hosts")
    @classmethod
    def _lower_hosts(cls, hosts: list[str]) -> list[str]:
        if not hosts:
            raise ValueError("allowed_hosts must name at least one host")
        for host in hosts:
            host_entry(host)
        return [h.strip().lower() for h in hosts]

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
            if not host_allowed(url, self.allowed_hosts):
                raise ValueError(f"{url}: its host and port are not in allowed_hosts")
        if not self.entry_points:
            raise ValueError("a source needs at least one feed or listing")
        return self

    @property
    def entry_points(self) -> list[str]:
        """Feed and listing URLs, in that order."""
        return [*self.feeds, *(listing.url for listing in self.listings)]

    def is_candidate(self, url: str) -> bool:
        """Whether a URL is a report of this source by its link rules and host."""
        if not host_allowed(url, self.allowed_hosts):
            return False
        if any(re.search(p, url) for p in self.exclude):
            return False
        return any(re.search(p, url) for p in self.include)

    def is_followed(self, url: str) -> bool:
        """Whether a link found inside a fetched report is itself a document to fetch."""
        return host_allowed(url, self.allowed_hosts) and any(re.search(p, url) for p in self.follow)


class TollConfig(BaseModel):
    """The whole sources file."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    fetch: FetchSettings = FetchSettings()
    """How toll behaves on the network, for every source."""
    parse: ParseSettings = ParseSettings()
    """The budget of each document's parse."""
    load: LoadSettings = LoadSettings()
    """How runs write to the warehouse."""
    report: ReportSettings = ReportSettings()
    """The HTML report of each nightly run."""
    sources: list[SourceConfig]
    """One table per publisher."""

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
