"""`python -m benchmarks [NAME ...]`: run the benchmarks, print a table, write JSON results.

Names: pdf, skip, parallel, nightly, load, queries, incremental, startup (default: all).
`--quick` uses smaller inputs for a first look; the figures in docs/performance.md come from a
full run.
"""

from __future__ import annotations

import argparse
import json
import socket
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks import (
    bench_flow,
    bench_incremental,
    bench_load,
    bench_pdf,
    bench_queries,
    bench_startup,
)
from benchmarks.measure import machine

RESULTS = Path(__file__).resolve().parent / "results"

BENCHMARKS: dict[str, tuple[str, Callable[[Path, bool], dict[str, Any]]]] = {
    "pdf": (
        "1. PDF parse throughput vs bare pdfplumber",
        lambda work, quick: bench_pdf.throughput(work, repeats=1 if quick else 3),
    ),
    "parallel": (
        "2. Parallel speedup through the flow",
        lambda work, quick: bench_flow.parallel_speedup(work, repeats=1 if quick else 3),
    ),
    "skip": (
        "3. Skipping pages without tables",
        lambda work, quick: bench_pdf.page_skipping(work, repeats=1 if quick else 3),
    ),
    "nightly": (
        "4. End-to-end nightly at scale",
        lambda work, quick: bench_flow.nightly_at_scale(work, (24, 96) if quick else (100, 500)),
    ),
    "load": (
        "5. Load throughput vs bare Arrow insert",
        lambda work, quick: bench_load.load_throughput(
            work, figures=50_000 if quick else 500_000, repeats=1 if quick else 3
        ),
    ),
    "queries": (
        "6. Analyst queries on 10 million figures",
        lambda work, quick: bench_queries.analyst_queries(work, repeats=1 if quick else 3),
    ),
    "incremental": (
        "7. Nightly cost follows the change (10 million figures)",
        lambda work, quick: bench_incremental.incremental(work, 1 if quick else 3, quick),
    ),
    "startup": (
        "8. Fixed cost before a run starts",
        lambda work, quick: bench_startup.startup(work, repeats=1 if quick else 3),
    ),
}

HEADLINES = {
    "pdf": lambda r: (f"{r['toll_pages_per_second']} vs {r['bare_pages_per_second']} pages/s",
                      f"overhead {r['toll_overhead']:.1%}"),
    "parallel": lambda r: (f"{r['one_worker_seconds']} s -> {r['all_cores_seconds']} s "
                           f"({r['cores']} cores); bare parse alone: "
                           f"{r['bare_parse_ceiling']['speedup']}x",
                           f"speedup {r['speedup']}x"),
    "skip": lambda r: (f"{r['every_page_seconds']} s -> {r['toll_seconds']} s, "
                       f"identical figures: {r['identical_figures']}", f"{r['speedup']}x"),
    "nightly": lambda r: (f"{r['documents']} documents: bare warm parse "
                          f"{r['bare_parse']['seconds']} s / {r['cores']} cores = "
                          f"{r['limit_seconds']} s; first {r['first_run_seconds']} s, reparse "
                          f"{r['reparse_seconds']} s, unchanged {r['unchanged_run_seconds']} s; "
                          "peak RSS "
                          + ", ".join(f"{k}: {v} MiB" for k, v in r["peak_rss_mib"].items()),
                          f"first {r['first_run_over_limit']}x, reparse "
                          f"{r['reparse_over_limit']}x the limit; re-run "
                          f"{r['unchanged_share_of_first']:.1%} of first"),
    "load": lambda r: (f"{r['toll_figures_per_second']:,} vs {r['bare_figures_per_second']:,} "
                       "figures/s", f"{r['toll_share_of_bare']:.0%} of bare"),
    "queries": lambda r: ("; ".join(f"{k}: {v['seconds']} s" for k, v in r["queries"].items()),
                          f"slowest {r['slowest_seconds']} s"),
    "incremental": lambda r: ("; ".join(
        f"{k}: unchanged {v['unchanged_run_seconds']} s, one report {v['one_report_run_seconds']}"
        f" s (its parse {v['one_report_parse_seconds']} s)"
        for k, v in r.items() if isinstance(v, dict)),
        f"unchanged {r.get('unchanged_ratio_to_sample_size', '-')}x sample size; one report "
        f"{r.get('one_report_beyond_its_parse_seconds', '-')} s beyond its parse"),
    "startup": lambda r: (f"fixed cost {r['temporary_api_server']['fixed_seconds']} s with "
                          f"Prefect's temporary server, {r['schedule_server']['fixed_seconds']} s "
                          f"beside toll schedule; toll --help {r['toll_help_seconds']} s, "
                          f"open+migrate {r['open_and_migrate_seconds']} s",
                          f"{r['schedule_server']['fixed_seconds']} s"),
}  # fmt: skip


def main() -> None:
    """Run the chosen benchmarks and report them."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="smaller inputs, one repeat")
    parser.add_argument("--workdir", type=Path, help="keep generated inputs here (reused)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON results")
    args = parser.parse_args()
    names = args.names or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    console = Console()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="toll-bench-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        for name in names:
            title, run = BENCHMARKS[name]
            console.print(f"[bold]{title}[/bold] ...")
            start = time.perf_counter()
            (workdir / name).mkdir(parents=True, exist_ok=True)
            try:
                results[name] = run(workdir / name, args.quick)
            except Exception as error:  # one broken benchmark must not lose the others' results
                console.print_exception()
                results[name] = {"failed": f"{type(error).__name__}: {error}"[:300], "goal": "-"}
            results[name]["benchmark_seconds"] = round(time.perf_counter() - start, 1)
            console.print_json(json.dumps(results[name], default=str))
    table = Table(title="toll benchmarks (ratios against the bare library in the same run)")
    for column in ("benchmark", "measured", "result", "goal"):
        table.add_column(column, overflow="fold")
    for name, result in results.items():
        measured, ratio = headline(name, result)
        table.add_row(BENCHMARKS[name][0], measured, ratio, result["goal"])
    console.print(table)
    stamp = datetime.now(UTC)
    report = {
        "generated_at": stamp.isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "machine": machine(),
        "quick": args.quick,
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{stamp:%Y%m%dT%H%M%SZ}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    path.with_suffix(".md").write_text(markdown(results, report["machine"]), encoding="utf-8")
    console.print(f"results written to {path} and {path.with_suffix('.md').name}")
    if any("failed" in result for result in results.values()):
        raise SystemExit(1)


def headline(name: str, result: dict[str, Any]) -> tuple[str, str]:
    """What a benchmark measured and its result, in a few words (or how it failed)."""
    if "failed" in result:
        return f"failed: {result['failed']}", "-"
    return HEADLINES[name](result)


def markdown(results: dict[str, Any], machine_facts: dict[str, Any]) -> str:
    """The results as a Markdown table, for docs/performance.md."""
    lines = [
        "| benchmark | measured | result | goal |",
        "| --- | --- | --- | --- |",
    ]
    for name, result in results.items():
        measured, ratio = headline(name, result)
        lines.append(f"| {BENCHMARKS[name][0]} | {measured} | {ratio} | {result['goal']} |")
    facts = ", ".join(f"{k}: {v}" for k, v in machine_facts.items())
    return "\n".join(lines) + f"\n\nMachine: {facts}.\n"


if __name__ == "__main__":
    main()
