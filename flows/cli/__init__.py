"""The `toll` command line: `app.py` registers every command; one module per command group.

Commands are thin: they parse options, call the flows or the warehouse, and print. Prefect is
imported only by the commands that run flows, after its environment is set."""
