"""toll's tests, laid out like the packages they test; helpers in `tests/support/`."""
