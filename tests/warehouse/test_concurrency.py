"""Analysts query while a run loads: a reader process never meets a lock error, and always
sees a whole snapshot, while a writer process loads and publishes over and over."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.support.records import batch, figure
from warehouse.database import publish, writer
from warehouse.load import load_batch

PUBLISHES = 25

READER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import duckdb
    home, stop = Path(sys.argv[1]), Path(sys.argv[2])
    queries, errors, sums = 0, [], set()
    print("ready", flush=True)
    while True:
        finished = stop.exists()  # read before the query: the last loop sees the last publish
        try:
            conn = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
            n, total = conn.execute("SELECT count(*), sum(count) FROM figures").fetchall()[0]
            conn.close()
            queries += 1
            sums.add((n, total))
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
        if finished:
            break
    print(json.dumps({"queries": queries, "errors": errors, "snapshots": sorted(sums)}))
    """
)

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from tests.support.records import batch, figure
    from warehouse.database import publish, writer
    from warehouse.load import load_batch
    home, rounds = Path(sys.argv[1]), int(sys.argv[2])
    for i in range(1, rounds + 1):
        with writer(home) as conn:  # the run holds the working copy while it loads
            load_batch(conn, batch(f"r{i}", f"doc{i}", [figure(f"doc{i}", "civ", i)]))
        publish(home)
    print("done", flush=True)
    """
)


def test_reader_never_blocks_while_the_writer_publishes(home, tmp_path) -> None:
    with writer(home) as conn:
        load_batch(conn, batch("r0", "doc0", [figure("doc0", "civ", 1000)]))
    publish(home)
    stop = tmp_path / "stop"
    repository = str(__import__("pathlib").Path(__file__).resolve().parents[2])
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home), str(stop)], stdout=subprocess.PIPE, text=True
    )
    assert reader.stdout.readline().strip() == "ready"
    writer_process = subprocess.run(
        [sys.executable, "-c", WRITER, str(home), str(PUBLISHES), repository],
        capture_output=True,
        text=True,
        check=False,
    )
    stop.touch()
    report = json.loads(reader.communicate(timeout=120)[0])
    assert writer_process.returncode == 0, writer_process.stderr
    assert report["errors"] == []
    assert report["queries"] >= 1
    print(f"reader: {report['queries']} queries, {len(report['snapshots'])} snapshots, 0 errors")
    expected = {(i + 1, 1000 + i * (i + 1) // 2) for i in range(PUBLISHES + 1)}
    assert {tuple(s) for s in report["snapshots"]} <= expected  # only whole snapshots
    assert [PUBLISHES + 1, 1000 + PUBLISHES * (PUBLISHES + 1) // 2] in report["snapshots"]
