"""`python -m flows.cli`: the `toll` command without its console script."""

from flows.cli.app import main

main()
