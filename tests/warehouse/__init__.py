"""Tests of `warehouse/`: schema, loading, views, checks, the archive, concurrent readers."""
