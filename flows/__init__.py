"""Extract and orchestration stage of toll: the Prefect flows and tasks, parse jobs, load
batches and the run's writer; fetching in `flows.acquire`, the `toll` command line in
`flows.cli`."""
