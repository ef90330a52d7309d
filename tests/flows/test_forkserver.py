"""The parse budget's fork server (issue 13, item 9): budgeted parses are forked from a
single-threaded, warmed server, never from the threaded process asking for them, so a lock
another thread holds at the moment of the fork cannot be copied into the child locked; and
the budget still kills on time and memory, in threads and in daemonic (Dask-like) workers."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from flows import budget as budgets
from flows.budget import Budget, BudgetExceeded, run_within_budget
from flows.jobs import parse_with
from flows.warmup import sample_documents
from parsers import pdf_document
from parsers.model import Document

pytestmark = pytest.mark.skipif(not budgets.uses_fork_server(), reason="needs Linux's pidfd")


@pytest.fixture
def held_pdfium_lock() -> Iterator[None]:
    """PDFium's lock held by another thread of this process for the length of the test."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with pdf_document._PDFIUM:
            taken.set()
            release.wait()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert taken.wait(30)
    try:
        yield
    finally:
        release.set()
        holder.join()


def _parent_pid() -> int:
    return os.getppid()


def _spin() -> None:
    while True:
        pass


def _allocate() -> bytes:
    return b"x" * (800 * 1024 * 1024)


def test_a_lock_held_by_another_thread_does_not_reach_the_parse(held_pdfium_lock) -> None:
    # Forked from this process, the child would start with PDFium's lock taken and wait on it
    # until the time budget killed it (the fault item 9 describes).
    pdf = next(d for d in sample_documents() if d.media_type == "application/pdf")
    (parsed,) = run_within_budget(parse_with, (pdf, "pdf_tables"), Budget(seconds=60))
    name, _, figures, error, _ = parsed
    assert name == "pdf_tables" and error is None and figures.num_rows > 0


def test_children_are_forked_from_a_single_threaded_warmed_server() -> None:
    server = budgets.start_fork_server()
    assert server is not None and server.alive
    assert server.facts["threads"] == 1
    assert server.facts["warmed"]["pdf_tables"] > 0 and server.facts["warmed"]["prose"] > 0
    assert run_within_budget(_parent_pid, (), Budget()) == server.process.pid != os.getpid()


def test_budget_still_kills_on_time_and_memory_from_the_server() -> None:
    with pytest.raises(BudgetExceeded, match=r"time budget of 0\.5 s"):
        run_within_budget(_spin, (), Budget(seconds=0.5, memory_mb=0))
    with pytest.raises(BudgetExceeded, match="memory budget of 200 MiB"):
        run_within_budget(_allocate, (), Budget(seconds=60, memory_mb=200))
    assert run_within_budget(sum, ([1, 2],), Budget()) == 3  # and serves the next one


def test_concurrent_requests_from_threads_each_get_their_own_answer() -> None:
    answers: dict[int, object] = {}

    def ask(number: int) -> None:
        answers[number] = run_within_budget(sum, ([number, 1000],), Budget())

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {n: n + 1000 for n in range(8)}


def test_a_dead_server_is_replaced() -> None:
    server = budgets.start_fork_server()
    assert server is not None
    server.process.kill()
    server.process.wait()
    assert run_within_budget(sum, ([4, 5],), Budget()) == 9
    assert budgets.start_fork_server() is not server


def _in_daemonic_worker(queue) -> None:
    """What a Dask worker does: a daemonic process, which multiprocessing forbids children."""
    try:
        run_within_budget(_spin, (), Budget(seconds=0.5, memory_mb=0))
    except BudgetExceeded as error:
        queue.put(("killed", str(error), run_within_budget(sum, ([1, 1],), Budget())))
    else:
        queue.put(("not killed", "", 0))
    budgets.stop_fork_server()


def test_budget_works_inside_a_daemonic_worker() -> None:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    worker = context.Process(target=_in_daemonic_worker, args=(queue,), daemon=True)
    worker.start()
    outcome = queue.get(timeout=300)
    worker.join(60)
    assert outcome[0] == "killed" and "time budget" in outcome[1] and outcome[2] == 2


def test_server_goes_when_its_process_closes_it() -> None:
    server = budgets.start_fork_server(warm=False)
    assert server is not None
    budgets.stop_fork_server()
    assert server.process.poll() is not None
    assert run_within_budget(sum, ([2, 2],), Budget()) == 4


def test_without_pidfd_the_child_is_forked_here(monkeypatch) -> None:
    monkeypatch.setattr(budgets, "uses_fork_server", lambda: False)
    with pytest.raises(BudgetExceeded, match=r"time budget of 0\.5 s"):
        run_within_budget(_spin, (), Budget(seconds=0.5, memory_mb=0))
    assert run_within_budget(_parent_pid, (), Budget()) == os.getpid()


def test_a_session_serves_its_calls_in_one_child_replaced_after_a_budget_failure() -> None:
    with budgets.budget_session(Budget(seconds=1, memory_mb=200)) as run:
        first = run(os.getpid, ())
        assert run(os.getpid, ()) == first  # one warm child for the batch
        with pytest.raises(BudgetExceeded, match=r"time budget of 1 s"):
            run(_spin, ())
        second = run(os.getpid, ())
        with pytest.raises(BudgetExceeded, match="memory budget of 200 MiB"):
            run(_allocate, ())
        third = run(os.getpid, ())
        with pytest.raises(ZeroDivisionError):  # an exception is the call's, not the child's
            run(divmod, (1, 0))
        assert run(os.getpid, ()) == third
    assert len({first, second, third}) == 3 and os.getpid() not in {first, second, third}


def test_a_hostile_document_in_a_job_group_costs_only_its_own_parses(tmp_path) -> None:
    from flows.jobs import ParseJob
    from flows.tasks import run_job_group
    from tests.support import hostile_documents as hostile
    from warehouse import archive

    documents = [
        sample_documents()[-1],
        Document.from_bytes(
            hostile.pdf_many_objects(), url="http://127.0.0.1/slow.pdf", source="hostile",
            media_type="application/pdf", fetched_at=datetime.now(UTC),
        ),
        sample_documents()[0],
    ]  # fmt: skip
    jobs = [
        ParseJob(d.sha256, archive.store(tmp_path, d.content, d.media_type), d.url, d.source,
                 d.media_type, d.fetched_at, None, None, parsers=("pdf_tables", "prose")
                 if d.media_type == "application/pdf" else ("html_tables", "prose"))
        for d in documents
    ]  # fmt: skip
    good, slow, page = run_job_group(jobs, tmp_path, Budget(seconds=4, memory_mb=300))
    assert all(r.ok for r in good.outcomes) and sum(r.figure_count for r in good.outcomes) > 0
    assert all(not r.ok and "time budget of 4 s exceeded" in r.error for r in slow.outcomes)
    assert all(r.ok for r in page.outcomes) and sum(r.figure_count for r in page.outcomes) > 0
