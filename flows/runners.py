"""Where parse tasks run: threads, local processes (the default: parsing is CPU-bound), or a
Dask cluster through prefect-dask (a local cluster of processes, or an existing scheduler)."""

from __future__ import annotations

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

TASK_RUNNERS = ("threads", "processes", "dask")


def make_task_runner(
    kind: str, workers: int | None = None, dask_address: str | None = None
) -> TaskRunner:
    """The task runner for parse tasks."""
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=workers or 8)
    if kind == "processes":
        return ProcessPoolTaskRunner(max_workers=workers)
    if kind == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        cluster_kwargs: dict[str, object] = {"processes": True, "threads_per_worker": 1}
        if workers:
            cluster_kwargs["n_workers"] = workers
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster", cluster_kwargs=cluster_kwargs
        )
    raise ValueError(f"unknown task runner {kind!r}; choose one of {', '.join(TASK_RUNNERS)}")
