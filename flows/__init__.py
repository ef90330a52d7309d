"""Extract and orchestration stage of toll: Prefect flows and tasks, fetching, discovery,
the archive and the `toll` command line."""
