"""On-demand benchmarks of toll against the libraries it stands on (`python -m benchmarks`).

They print a table and write JSON results; they never run as part of the tests and never
assert timings.
"""
