"""Tests of `parsers/`: numbers, periods, grammar, tables, vocabularies, golden files, corpus."""
