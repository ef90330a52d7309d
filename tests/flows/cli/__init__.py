"""Tests of the `toll` command line."""
