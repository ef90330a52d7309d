"""The nightly flow end to end: `toll ingest` in its own process against a local site.

2. Parallel speedup: the 200-page PDF corpus through the flow with one parse worker and with
   one per core.
4. A nightly run over a 500-report site (PDF and HTML): the first run against the bare warm
   parse of the same archive divided by the cores (issue 15: within 1.7x), a `toll reparse`
   of the whole archive against the same bound, an unchanged re-run, and peak memory at 100
   and 500 reports.

Run time is the run's own, as the command prints it ("nightly run completed in 12.3 s"):
from taking the writer lock to the end of publishing, which leaves out the process and
Prefect start-up (benchmarks/bench_startup.py measures those). The `runs` row's span (which
ends before publishing) and the wall time of the whole command are reported beside it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from benchmarks.bench_baseline import bare_parse, forget_parses, parallel_ceiling
from benchmarks.corpus import table_corpus
from flows.sample_site.server import SiteServer

REPOSITORY = Path(__file__).resolve().parent.parent
RSS_SCRIPT = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


@dataclass(frozen=True)
class IngestRun:
    """What one `toll ingest` cost and did."""

    wall_seconds: float
    run_seconds: float  # as printed: lock to published
    row_seconds: float  # the runs row: lock to finished (before publishing)
    peak_rss_mib: float
    status: str
    discovered: int
    fetched: int
    not_modified: int
    parsed: int
    figures_added: int
    parse_seconds: float  # the run's parse_runs.duration_ms, summed


def _sources(base_url: str, include: str, follow: str = "", listing: str = "") -> str:
    follow_line = f"follow = ['{follow}']\n" if follow else ""
    if listing:
        follow_line += f'listings = [{{ url = "{listing}", max_pages = 100 }}]\n'
    return f"""[fetch]
user_agent = "toll-benchmark/0.1"
timeout_seconds = 30
max_attempts = 2
backoff_seconds = 0.1

[[sources]]
name = "bench"
publisher = "Benchmark site (synthetic)"
homepage = "{base_url}/"
allowed_hosts = ["{base_url.split("//", 1)[1]}"]
allow_private_addresses = true
feeds = ["{base_url}/feed/"]
include = ['{include}']
{follow_line}rate_limit_per_second = 1000
max_concurrency = 8
"""


def toll_command() -> str:
    """The `toll` script of the running environment."""
    beside = Path(sys.executable).parent / "toll"
    return str(beside) if beside.exists() else shutil.which("toll") or "toll"


def ingest(
    home: Path,
    config: Path | None,
    workers: int | None = None,
    command: str = "ingest",
    env: dict[str, str] | None = None,
) -> IngestRun:
    """Run `toll ingest` (or `toll reparse`) as a child process and read what it did from
    its output and its `runs` row."""
    arguments = [toll_command(), command, "--home", str(home)]
    if config is not None:
        arguments += ["--config", str(config)]
    if workers:
        arguments += ["--workers", str(workers)]
    prefect_home = home.parent / "prefect-home"  # Prefect does not create missing parents
    prefect_home.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "PREFECT_HOME": str(prefect_home),
        "NO_COLOR": "1",
        "COLUMNS": "200",
        **(env or {}),
    }
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"toll {command} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    peak_kib = int(done.stdout.strip().splitlines()[-1])
    printed = re.search(r"run \w+ in ([\d.]+) s", done.stdout)
    # The working copy: a run that changed nothing does not publish its runs row.
    with duckdb.connect(str(home / "state" / "warehouse-writer.duckdb"), read_only=True) as conn:
        row = conn.execute(
            """
            SELECT epoch(finished_at) - epoch(started_at), status, discovered, fetched,
                   not_modified, parsed, figures_added,
                   (SELECT coalesce(sum(duration_ms), 0) FROM parse_runs p
                    WHERE p.run_id = r.run_id) / 1000
            FROM runs r ORDER BY started_at DESC LIMIT 1
            """
        ).fetchone()
    assert row is not None
    seconds = float(printed.group(1)) if printed else float(row[0])
    status, discovered, fetched, not_modified, parsed, added = row[1:7]
    return IngestRun(
        wall, seconds, float(row[0]), peak_kib / 1024, status, discovered, fetched,
        not_modified, parsed, added, float(row[7]),
    )  # fmt: skip


def _pdf_site(root: Path, pdfs: list[Path]) -> None:
    """A site whose feed lists the PDFs directly."""
    if root.exists():
        shutil.rmtree(root)
    (root / "reports").mkdir(parents=True)
    (root / "feed").mkdir()
    items = []
    for pdf in pdfs:
        shutil.copy(pdf, root / "reports" / pdf.name)
        items.append(
            f"<item><title>{pdf.stem}</title><link>__SITE__/reports/{pdf.name}</link></item>"
        )
    (root / "feed" / "index.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>bench</title>{''.join(items)}</channel></rss>",
        encoding="utf-8",
    )


def parallel_speedup(workdir: Path, repeats: int = 3) -> dict[str, Any]:
    """Benchmark 2: the same 200-page corpus through the flow, 1 worker vs one per core; the
    best of `repeats` fresh ingests each (a run of 20 documents is easily disturbed)."""
    pdfs = table_corpus(workdir / "table-corpus")
    site_root = workdir / "pdf-site"
    _pdf_site(site_root, pdfs)
    cores = os.cpu_count() or 1
    results: dict[int, list[IngestRun]] = {}
    with SiteServer(site_root) as site:
        config = workdir / "pdf-site.toml"
        config.write_text(_sources(site.base_url, r"^.*/reports/[^/]+\.pdf$"), encoding="utf-8")
        for _ in range(repeats):
            for workers in (1, cores):
                home = workdir / f"speedup-{workers}"
                shutil.rmtree(home, ignore_errors=True)
                results.setdefault(workers, []).append(ingest(home, config, workers))
    one = min(results[1], key=lambda r: r.run_seconds)
    many = min(results[cores], key=lambda r: r.run_seconds)
    ceiling = parallel_ceiling(workdir / "speedup-1", cores, repeats)
    return {
        "documents": len(pdfs),
        "cores": cores,
        "repeats": repeats,
        "one_worker_seconds": round(one.run_seconds, 2),
        "all_cores_seconds": round(many.run_seconds, 2),
        "speedup": round(one.run_seconds / many.run_seconds, 2),
        "one_worker_runs_seconds": [round(r.run_seconds, 2) for r in results[1]],
        "all_cores_runs_seconds": [round(r.run_seconds, 2) for r in results[cores]],
        "wall_seconds": {
            "1 worker": round(one.wall_seconds, 1),
            f"{cores} workers": round(many.wall_seconds, 1),
        },
        "figures": many.figures_added,
        "bare_parse_ceiling": ceiling,
        "share_of_ceiling": round(one.run_seconds / many.run_seconds / ceiling["speedup"], 2),
        "goal": "speedup >= 1.7 on 2 cores",
    }


def _site_generator():
    """The sample-site generator of the tests (tests/site/generate.py), loaded by path."""
    path = REPOSITORY / "tests" / "site" / "generate.py"
    spec = importlib.util.spec_from_file_location("toll_site_generate", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _report_site(root: Path, reports: int) -> int:
    """A generated site of about `reports` documents (a PDF and a web page per month)."""
    generator = _site_generator()
    years = max(1, round(reports / 24))
    built = generator.build_site(root, years=tuple(range(2024 - years + 1, 2025)))
    return len(built) * 2


def _report_sources(base_url: str) -> str:
    pattern = r"^.*/blog/\d{4}/\d{2}/\d{2}/[^/]+/$"
    follow = r"^.*/wp-content/uploads/\d{4}/\d{2}/[^/]+\.pdf$"
    return _sources(base_url, pattern, follow, listing=f"{base_url}/category/death-toll/")


def nightly_at_scale(workdir: Path, sizes: tuple[int, ...] = (100, 500)) -> dict[str, Any]:
    """Benchmark 4: first run of the largest site against the bare warm parse of its archive
    divided by the cores; a reparse of the whole archive; an unchanged re-run; memory by
    size."""
    runs: dict[int, dict[str, IngestRun]] = {}
    documents: dict[int, int] = {}
    largest = max(sizes)
    for size in sizes:
        root = workdir / f"site-{size}"
        documents[size] = _report_site(root, size)
        with SiteServer(root) as site:
            config = workdir / f"site-{size}.toml"
            config.write_text(_report_sources(site.base_url), encoding="utf-8")
            home = workdir / f"nightly-{size}"
            shutil.rmtree(home, ignore_errors=True)
            first = ingest(home, config)
            again = ingest(home, config) if size == largest else None
        runs[size] = {"first": first, **({"unchanged": again} if again else {})}
    home = workdir / f"nightly-{largest}"
    bare = bare_parse(home)
    again_home = workdir / f"reparse-{largest}"
    shutil.rmtree(again_home, ignore_errors=True)
    shutil.copytree(home, again_home)
    forget_parses(again_home)
    runs[largest]["reparse"] = reparse = ingest(again_home, None, command="reparse")
    first, again = runs[largest]["first"], runs[largest]["unchanged"]
    cores = os.cpu_count() or 1
    limit = bare["seconds"] / cores
    return {
        "documents": documents[largest],
        "cores": cores,
        "bare_parse": bare,
        "limit_seconds": round(limit, 1),
        "first_run_seconds": round(first.run_seconds, 1),
        "first_run_row_seconds": round(first.row_seconds, 1),
        "first_run_wall_seconds": round(first.wall_seconds, 1),
        "first_run_parse_seconds": round(first.parse_seconds, 1),
        "first_run_over_limit": round(first.run_seconds / limit, 2),
        "parse_cost_over_bare": round(first.parse_seconds / bare["seconds"], 2),
        "reparse_seconds": round(reparse.run_seconds, 1),
        "reparse_over_limit": round(reparse.run_seconds / limit, 2),
        "reparse_figures": reparse.figures_added,
        "documents_per_second": round(first.fetched / first.run_seconds, 1),
        "figures": first.figures_added,
        "unchanged_run_seconds": round(again.run_seconds, 2),
        "unchanged_not_modified": again.not_modified,
        "unchanged_share_of_first": round(again.run_seconds / first.run_seconds, 3),
        "peak_rss_mib": {
            f"{documents[s]} documents": round(runs[s]["first"].peak_rss_mib) for s in sizes
        },
        "goal": "first run and reparse <= 1.7x bare/cores; unchanged share <= 0.10; "
        "peak memory flat from 100 to 500 reports",
        "runs": {
            str(s): {k: json.loads(json.dumps(v.__dict__)) for k, v in r.items()}
            for s, r in runs.items()
        },
    }
