"""Benchmark 7: a nightly run's cost follows the change, not the warehouse (issue 15).

The data folder holds the 10-million-figure warehouse of benchmark 6 plus a local site of
eleven monthly reports (a web page and a PDF each) ingested once. Then:
- an unchanged nightly of that site (every document answers 304), best of three;
- a nightly after the site adds one report (its page and its PDF);
and the same unchanged nightly on a data folder of the sample site's size, for the ratio.
Run time is the run's own (the command's "run completed in N s": lock to published).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from benchmarks import bench_queries
from benchmarks.bench_flow import IngestRun, _report_sources, _site_generator, ingest
from flows.sample_site.server import SiteServer
from flows.schedule import free_port


def _site(root: Path, months: int) -> None:
    """The generated site with the first `months` monthly reports of 2024."""
    generator = _site_generator()
    every = generator.MONTHS
    generator.MONTHS = range(1, months + 1)
    try:
        generator.build_site(root, years=(2024,))
    finally:
        generator.MONTHS = every


def _nightly(home: Path, root: Path, port: int, config: Path) -> IngestRun:
    with SiteServer(root, port=port) as site:
        config.write_text(_report_sources(site.base_url), encoding="utf-8")
        return ingest(home, config)


def _best(runs: list[IngestRun]) -> IngestRun:
    return min(runs, key=lambda r: r.run_seconds)


def incremental(workdir: Path, repeats: int = 3, quick: bool = False) -> dict[str, Any]:
    """Benchmark 7: unchanged and one-report nightlies at 10 million figures and at the
    sample site's size."""
    before, after = workdir / "site-11", workdir / "site-12"
    _site(before, 11)
    _site(after, 12)
    port = free_port()
    config = workdir / "sources.toml"
    results: dict[str, Any] = {}
    homes = {"sample size": workdir / "small"}
    if not quick:
        big = workdir.parent / "queries" / "ten-million.duckdb"
        figures = bench_queries.build(big)
        homes["10 million figures"] = workdir / "large"
        results["warehouse_figures"] = figures
    for label, home in homes.items():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        if label != "sample size":
            shutil.copyfile(workdir.parent / "queries" / "ten-million.duckdb",
                            home / "warehouse.duckdb")  # fmt: skip
        setup = _nightly(home, before, port, config)  # loads the site, derives everything
        unchanged = [_nightly(home, before, port, config) for _ in range(repeats)]
        added = _nightly(home, after, port, config)
        best = _best(unchanged)
        results[label] = {
            "setup_run_seconds": round(setup.run_seconds, 1),
            "unchanged_run_seconds": round(best.run_seconds, 2),
            "unchanged_runs_seconds": [round(r.run_seconds, 2) for r in unchanged],
            "unchanged_wall_seconds": round(best.wall_seconds, 1),
            "unchanged_not_modified": best.not_modified,
            "one_report_run_seconds": round(added.run_seconds, 2),
            "one_report_parse_seconds": round(added.parse_seconds, 2),
            "one_report_fetched": added.fetched,
            "one_report_figures": added.figures_added,
        }
    if "10 million figures" in results:
        large, small = results["10 million figures"], results["sample size"]
        results["unchanged_ratio_to_sample_size"] = round(
            large["unchanged_run_seconds"] / small["unchanged_run_seconds"], 2
        )
        results["one_report_beyond_its_parse_seconds"] = round(
            large["one_report_run_seconds"] - large["one_report_parse_seconds"], 2
        )
    results["goal"] = (
        "unchanged at 10M < 5 s and <= 2x the sample size's; one new report at 10M < 10 s "
        "plus its parse"
    )
    return results
