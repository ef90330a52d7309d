"""Where parse tasks run: threads of the flow process (the default: each parse runs in a child
process of the fork server, so a thread only waits), local worker processes, or a Dask cluster
through prefect-dask (a local cluster of processes, or an existing scheduler).

Worker processes must report to the flow's own Prefect API. Prefect passes its settings to
them, but not the address of an ephemeral server it started itself, and a worker without an
API address starts an ephemeral server of its own: about 8 s before its first task on this
machine, a server process per worker, and task runs recorded by a server the flow never
asks. The process runners here hand the flow's API address down in the environment their
workers inherit, for as long as the runner is open.
"""

from __future__ import annotations

import os
from typing import Any

from prefect.context import FlowRunContext, SyncClientContext
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows.budget import Budget, start_fork_server, uses_fork_server
from warehouse.errors import UsageError

TASK_RUNNERS = ("threads", "processes", "dask")
API_URL = "PREFECT_API_URL"
DASK_EXTRA = "pip install 'toll[dask]' (in a checkout: pip install -e '.[dask]')"


class MissingExtra(UsageError):
    """A feature whose optional dependencies are not installed; the message says how to
    install them. prefect-dask with dask and distributed is about a tenth of a plain install
    and only `--task-runner dask` needs it, so it is the `dask` extra."""


def flow_api_url() -> str | None:
    """The address of the API the running flow's engine reports to, if one is open here."""
    for context in (SyncClientContext.get(), FlowRunContext.get()):
        url = getattr(getattr(context, "client", None), "api_url", None)
        if url:
            return str(url)
    return None


class SharedApi:
    """Mixin for task runners with worker processes: while the runner is open, workers
    inherit PREFECT_API_URL naming the flow's API (unless the user set it)."""

    _shared_api_url = False

    def __enter__(self) -> Any:
        url = None if API_URL in os.environ else flow_api_url()
        if url:
            os.environ[API_URL] = url
            self._shared_api_url = True
        return super().__enter__()  # type: ignore[misc]

    def __exit__(self, *exc: object) -> None:
        try:
            super().__exit__(*exc)  # type: ignore[misc]
        finally:
            if self._shared_api_url:
                os.environ.pop(API_URL, None)
                self._shared_api_url = False


class ProcessPoolRunner(SharedApi, ProcessPoolTaskRunner):
    """Prefect's process pool, its workers reporting to the flow's API."""

    def warm_up(self) -> None:
        """Start every worker now, importing what parse tasks need: a worker takes seconds to
        start, better spent while the flow discovers and fetches than after."""
        executor = getattr(self, "_executor", None)
        for _ in range(self._max_workers if executor is not None else 0):
            assert executor is not None
            executor.submit(warm_worker)  # a failure here shows again in the real tasks


def warm_up_workers() -> None:
    """Start the running flow's parse workers, if its task runner has workers to start, or
    else this process's fork server (thread workers parse through it). Either warms up while
    the run discovers and fetches.

    Called by the flow itself, never on entering the runner: Prefect enters a copy of the
    flow's task runner inside each worker too, where it must not start processes."""
    runner = getattr(FlowRunContext.get(), "task_runner", None)
    if isinstance(runner, ProcessPoolRunner):
        runner.warm_up()
    elif isinstance(runner, ThreadPoolTaskRunner):
        start_fork_server()


def runner_workers() -> int:
    """How many parse tasks the running flow's task runner runs at once (one per core when
    it does not say)."""
    runner = getattr(FlowRunContext.get(), "task_runner", None)
    workers = getattr(runner, "_max_workers", None)
    return workers if isinstance(workers, int) and workers > 0 else os.cpu_count() or 1


def warm_worker() -> None:
    """In a new worker process: start its fork server and import Prefect's task engine and
    the parsers with their libraries, so that the first document does not wait for them."""
    import prefect.task_engine  # noqa: F401

    import flows.tasks  # noqa: F401
    from parsers.registry import registered_parsers

    start_fork_server()  # it warms up beside this worker's own imports
    registered_parsers()


def default_task_runner(budget: Budget) -> str:
    """Threads where every parse runs in a child process of this process's fork server: a
    thread only waits on its child, so threads use every core without a worker process each
    (a worker took 2-3 s to start, a task in it 0.15 s of bookkeeping against 0.01 s in a
    thread, and each started a fork server of its own). Processes where parses would run in
    the task's own thread (the time budget off, or no pidfd): the interpreter lock would
    serialize them."""
    return "threads" if budget.seconds and uses_fork_server() else "processes"


def make_task_runner(
    kind: str | None,
    workers: int | None = None,
    dask_address: str | None = None,
    budget: Budget | None = None,
) -> TaskRunner:
    """The task runner for parse tasks (`kind` None: the default for `budget`, see
    `default_task_runner`); MissingExtra for dask without the `dask` extra."""
    kind = kind or default_task_runner(budget or Budget())
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=workers or os.cpu_count() or 1)
    if kind == "processes":
        return ProcessPoolRunner(max_workers=workers)
    if kind == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as error:
            missing = error.name or "prefect-dask"
            raise MissingExtra(
                f"--task-runner dask needs the dask extra ({missing} is not installed): "
                + DASK_EXTRA
            ) from None

        class DaskRunner(SharedApi, DaskTaskRunner):
            """prefect-dask's runner, its local cluster's workers reporting to the flow's API."""

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        cluster_kwargs: dict[str, object] = {"processes": True, "threads_per_worker": 1}
        if workers:
            cluster_kwargs["n_workers"] = workers
        return DaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs=cluster_kwargs)
    raise ValueError(f"unknown task runner {kind!r}; choose one of {', '.join(TASK_RUNNERS)}")
