"""Helpers shared by the tests (records, fault scenarios, hostile documents, ...); not tests."""
