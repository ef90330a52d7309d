"""Tests of `flows/acquire/`: discovery, fetching and retries."""
