"""`toll ingest`, `toll backfill`, `toll reparse`, `toll demo` and `toll schedule`: the
commands that run flows.

Prefect is imported only here, inside the commands, after its environment is set.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from flows.cli.options import (
    ConfigOption,
    DaskOption,
    HomeOption,
    JsonLogOption,
    SinceOption,
    SourceOption,
    SourcesOption,
    TaskRunner,
    TaskRunnerOption,
    WaitOption,
    WorkersOption,
    known_parsers,
)
from flows.cli.output import data_console, shown
from flows.cli.query import run_query
from flows.config import load_config, resolve_config_path, resolve_home, writable_home
from flows.summary import RunSummary
from warehouse.errors import ConfigurationError, RunIncomplete

if TYPE_CHECKING:
    from flows.budget import Budget

console = data_console()


@dataclass(frozen=True)
class RunOptions:
    """How a flow runs: where its parse tasks go, whether to wait, how to log."""

    task_runner: TaskRunner | None = None  # None: threads or processes, as fits the budget
    workers: int | None = None
    dask_address: str | None = None
    wait: bool = False
    log_json: bool = False


def checked_config(config: Path | None, sources: list[str] | None) -> Path:
    """The sources file, read and validated (and the sources named on the command line
    looked up) before Prefect starts: a mistake is one line and exit 2, not a traceback
    after Prefect's start-up."""
    path = resolve_config_path(config)
    load_config(path).selected(sources)
    return path


def run_flow(flow_name: str, options: RunOptions, home: Path, **parameters: Any) -> RunSummary:
    """Run a flow in this process (Prefect's temporary local API; no server needed).
    Raises WarehouseBusy when another run holds the data folder and --wait was not given."""
    from flows.runlock import WarehouseBusy, lock_holder

    if not options.wait and (holder := lock_holder(home)):  # answer at once, before Prefect
        raise WarehouseBusy(f"another toll run is writing to {home} (pid {holder})")
    from flows import prefect_env
    from flows.cli import logs
    from flows.schedule import running_schedule_server

    prefect_env.configure()
    logs.configure(json_lines=options.log_json)
    if "PREFECT_API_URL" not in os.environ and (url := running_schedule_server()):
        os.environ["PREFECT_API_URL"] = url  # no temporary API server to start
        data_console(stderr=True).print(
            f"using the Prefect server of `toll schedule` at {shown(url, markup=False)}",
            highlight=False,
            markup=False,
        )
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows import progress
    from flows.budget import start_fork_server
    from flows.cli.output import ProgressBars
    from flows.nightly import backfill, make_task_runner, nightly
    from flows.reparse import reparse

    chosen: Any = {"nightly": nightly, "backfill": backfill, "reparse": reparse}[flow_name]
    budget = _parse_budget(parameters.get("config_path"))
    runner = make_task_runner(options.task_runner, options.workers, options.dask_address, budget)
    if isinstance(runner, ThreadPoolTaskRunner):  # it warms while Prefect starts its server
        start_fork_server()
    flow = chosen.with_options(task_runner=runner)
    interactive = console.is_terminal and not options.log_json
    bars = ProgressBars(console) if interactive else nullcontext(progress.LogLines())
    with bars as reporter, progress.reporting(reporter), _no_heartbeat_when_temporary():
        summary: RunSummary = flow(home=str(home), wait=options.wait, **parameters)
    return summary


def _parse_budget(config_path: str | None) -> Budget:
    """The parse budget the flow will use: the sources file's, or the default (reparse)."""
    from flows.budget import Budget
    from flows.nightly import budget_of

    return budget_of(load_config(Path(config_path))) if config_path else Budget()


def outcome(summary: RunSummary) -> None:
    """Raise RunIncomplete for a run that did not complete (exit 3 partial, 1 failed)."""
    if summary.status == "partial":
        raise RunIncomplete(
            f"{len(summary.failures)} failure(s), listed above; everything else is "
            "published (`toll status`)",
            "partial",
        )
    if summary.status == "failed":
        raise RunIncomplete(
            f"nothing was fetched or parsed; {len(summary.failures)} failure(s), listed above",
            "failed",
        )


def _no_heartbeat_when_temporary() -> Any:
    """On Prefect's temporary API server, no flow heartbeats: nothing watches for them
    there, and the engine waits up to a second for its heartbeat thread at the end of every
    flow run (../shared/TECH-NOTES.md: 1.12 s -> 0.13 s for a one-task flow)."""
    if "PREFECT_API_URL" in os.environ:
        return nullcontext()
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def _preview(
    home: Path,
    parser: str | None,
    source: str | None,
    since: date | None,
    limit: int,
    as_json: bool,
) -> None:
    """`toll reparse --dry-run`: run the pending parsers in this process, compare, print."""
    import json
    import sys

    from flows.cli.output import reparse_preview_examples, reparse_preview_table
    from flows.reparse_preview import preview_reparse
    from warehouse.database import WarehouseMissing, published_path

    if not published_path(home).exists():
        raise WarehouseMissing(f"no warehouse at {published_path(home)}: run toll ingest first")
    preview = preview_reparse(home, parser, source, since)
    if as_json:
        payload = {
            "documents": preview.documents,
            "groups": [group.as_json(limit) for group in preview.groups],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1, default=str) + "\n")
        return
    if not preview.groups:
        console.print("nothing to re-parse: every document is parsed by the current versions")
        return
    console.print(reparse_preview_table(preview))
    console.print(reparse_preview_examples(preview, limit))
    console.print(
        f"{preview.changes} figure change(s) over {preview.documents} document(s); "
        "nothing was written. Run without --dry-run to apply."
    )


def print_summary(summary: RunSummary) -> None:
    """The run summary table, its failures and alarms, and where the warehouse is."""
    from flows.cli.output import alarms_table, failures_table, summary_table

    console.print(summary_table(summary))
    if summary.failures:
        console.print(failures_table(summary.failures))
    if summary.alarms:
        console.print(alarms_table(summary.alarms))
    console.print(f"warehouse: [bold]{shown(summary.warehouse)}[/]")


def ingest(
    home: HomeOption = None,
    config: ConfigOption = None,
    source: SourcesOption = None,
    task_runner: TaskRunnerOption = None,
    workers: WorkersOption = None,
    dask_address: DaskOption = None,
    wait: WaitOption = False,
    log_json: JsonLogOption = False,
) -> None:
    """Run one nightly ingest now: discover, fetch, archive, parse, load, validate.

    Exits 0 when the run completed, 3 when it was partial (some documents or sources
    failed, the rest is published), 1 when it failed (nothing fetched or parsed), 2 on a
    usage or configuration error, 75 when another run holds the data folder (unless --wait).
    Example: [bold]toll ingest --home ./data --source snhr[/]
    """
    home_path = writable_home(home)
    config_path = checked_config(config, source)
    options = RunOptions(task_runner, workers, dask_address, wait, log_json)
    summary = run_flow("nightly", options, home_path, config_path=str(config_path), sources=source)
    print_summary(summary)
    outcome(summary)


def backfill(
    home: HomeOption = None,
    config: ConfigOption = None,
    source: SourcesOption = None,
    restart: Annotated[
        bool, typer.Option("--restart", help="Start from the first page, not the saved cursor.")
    ] = False,
    task_runner: TaskRunnerOption = None,
    workers: WorkersOption = None,
    dask_address: DaskOption = None,
    wait: WaitOption = False,
    log_json: JsonLogOption = False,
) -> None:
    """Walk every listing to its end to catch up on older reports.

    Resumable: an interrupted backfill continues from the last page it loaded. Exit codes
    as for ingest.

    Example: [bold]toll backfill --source snhr[/]
    """
    home_path = writable_home(home)
    config_path = checked_config(config, source)
    options = RunOptions(task_runner, workers, dask_address, wait, log_json)
    summary = run_flow(
        "backfill",
        options,
        home_path,
        config_path=str(config_path),
        sources=source,
        restart=restart,
    )
    print_summary(summary)
    outcome(summary)


def demo(
    home: HomeOption = None,
    port: Annotated[
        int, typer.Option("--port", help="Port of the sample site on 127.0.0.1.")
    ] = 8741,
    task_runner: TaskRunnerOption = None,
    workers: WorkersOption = None,
    log_json: JsonLogOption = False,
) -> None:
    """Ingest the bundled sample publisher site, served on 127.0.0.1, with the real flow.

    Running it again with the same --home is an incremental nightly run.
    Example: [bold]toll demo --home ./data[/]
    """
    from flows.sample_site.demo import EXAMPLE_QUERY, write_demo_config
    from flows.sample_site.server import SiteServer

    home_path = writable_home(home)
    try:
        server = SiteServer(port=port)
    except OSError as error:
        raise ConfigurationError(
            f"cannot serve the sample site on 127.0.0.1:{port} (--port): {error.strerror or error}"
        ) from None
    with server:
        console.print(f"sample site: [bold]{server.base_url}/[/] (synthetic figures)")
        config_path = write_demo_config(home_path, server.base_url)
        summary = run_flow(
            "nightly",
            RunOptions(task_runner, workers, log_json=log_json),
            home_path,
            config_path=str(config_path),
        )
    print_summary(summary)
    console.print("\nexample query ([bold]toll sql[/] runs any other):")
    console.print(EXAMPLE_QUERY, style="cyan", highlight=False)
    run_query(home_path, EXAMPLE_QUERY, title="civilians killed in 2024 by perpetrator")
    outcome(summary)


def schedule(
    home: HomeOption = None,
    config: ConfigOption = None,
    cron: Annotated[
        str, typer.Option("--cron", help="When to run, as a cron expression (server time).")
    ] = "0 2 * * *",
    interval: Annotated[
        int | None, typer.Option("--interval", help="Run every N seconds instead of --cron.")
    ] = None,
    port: Annotated[
        int, typer.Option("--port", help="Port of the local Prefect server, if toll starts one.")
    ] = 4200,
    task_runner: TaskRunnerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Run the nightly flow on a schedule. Without PREFECT_API_URL, starts a local Prefect
    server on 127.0.0.1 (its UI shows the runs) and stops it on Ctrl-C or SIGTERM.

    Example: [bold]toll schedule --cron "0 2 * * *" --home /srv/toll/data[/]
    """
    home_path = writable_home(home)
    config_path = checked_config(config, None)
    from flows import prefect_env
    from flows import schedule as scheduling
    from flows.nightly import make_task_runner, nightly

    prefect_env.configure()
    budget = _parse_budget(str(config_path))
    runner: Any = make_task_runner(task_runner, workers, budget=budget)  # before any server
    server_context = (
        nullcontext(None) if os.environ.get("PREFECT_API_URL") else scheduling.local_server(port)
    )
    with scheduling.stop_on_sigterm():
        try:
            with server_context as server:
                if server is not None:
                    os.environ["PREFECT_API_URL"] = server.api_url
                    scheduling.advertise(server)
                    console.print(f"Prefect server and UI: [bold]{shown(server.url)}[/]")
                else:
                    console.print(
                        f"using the Prefect server at {shown(os.environ['PREFECT_API_URL'])}"
                    )
                flow = nightly.with_options(task_runner=runner)
                when: dict[str, Any] = {"interval": interval} if interval else {"cron": cron}
                console.print(f"serving deployment toll-nightly, schedule {when}; Ctrl-C stops")
                flow.serve(
                    name="toll-nightly",
                    parameters={"home": str(home_path), "config_path": str(config_path)},
                    pause_on_shutdown=False,
                    print_starting_message=False,
                    **when,
                )
        except KeyboardInterrupt:
            pass
        finally:
            scheduling.withdraw()
    console.print("schedule stopped")


def reparse(
    home: HomeOption = None,
    parser: Annotated[
        str | None, typer.Option("--parser", help="Only this parser.", show_default=False)
    ] = None,
    source: SourceOption = None,
    since: SinceOption = None,
    task_runner: TaskRunnerOption = None,
    wait: WaitOption = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print what the reparse would change (figures added, removed and changed, "
            "per parser and source, with examples) and write nothing.",
        ),
    ] = False,
    examples: Annotated[
        int, typer.Option("--examples", min=0, help="Examples per kind of change (--dry-run).")
    ] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="With --dry-run: print JSON.")] = False,
) -> None:
    """Run the parsers again over archived documents (no network).

    A parser's new version replaces its figures; parse_runs keeps the history; running it
    twice adds nothing. --since selects documents first seen on or after the date. Review
    an upgrade first with --dry-run. Exit codes as for ingest.

    Example: [bold]toll reparse --parser pdf_tables --since 2024-01-01[/]
    """
    if parser:
        known_parsers([parser])
    if dry_run:
        _preview(resolve_home(home), parser, source, since, examples, as_json)
        return
    home_path = writable_home(home)
    summary = run_flow(
        "reparse",
        RunOptions(task_runner=task_runner, wait=wait),
        home_path,
        parser=parser,
        source=source,
        since=since,
    )
    print_summary(summary)
    outcome(summary)
