"""The reparse flow: archived documents parsed again, no network; new parser versions replace
their figures in one transaction; running it twice adds nothing."""

from __future__ import annotations

import dataclasses

import pytest

from flows.sample_site.demo import write_demo_config
from parsers import registry
from parsers.formats import prose
from warehouse.database import reader
from warehouse.sql import scalar

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_api")]


def _flows():
    from flows.nightly import make_task_runner, nightly
    from flows.reparse import reparse

    runner = make_task_runner("threads", 2)
    return nightly.with_options(task_runner=runner), reparse.with_options(task_runner=runner)


@pytest.fixture
def bumped_prose(monkeypatch):
    """The prose parser at a new version (same output)."""
    registry.registered_parsers.cache_clear()
    monkeypatch.setattr(prose, "PARSER", dataclasses.replace(prose.PARSER, version="99.0.0"))
    yield
    registry.registered_parsers.cache_clear()


def _state(home):
    with reader(home) as conn:
        return {
            "figures": scalar(conn, "SELECT count(*) FROM figures"),
            "prose_versions": conn.execute(
                "SELECT DISTINCT parser_version FROM figures WHERE parser = 'prose'"
            ).fetchall(),
            "parse_runs": scalar(conn, "SELECT count(*) FROM parse_runs"),
        }


def test_reparse_with_nothing_new_adds_nothing(home, site) -> None:
    nightly, reparse = _flows()
    nightly(home=str(home), config_path=str(write_demo_config(home, site.base_url)))
    before = _state(home)
    requests = len(site.requests)
    summary = reparse(home=str(home))
    assert _state(home) == before
    assert summary.counts.parsed == 0 and summary.counts.figures_added == 0
    assert len(site.requests) == requests  # no network


def test_new_parser_version_replaces_its_figures(home, site, bumped_prose) -> None:
    nightly, reparse = _flows()
    registry.registered_parsers.cache_clear()
    with pytest.MonkeyPatch.context() as undo:  # ingest with the shipped version first
        undo.setattr(prose, "PARSER", dataclasses.replace(prose.PARSER, version="1.0.0"))
        nightly(home=str(home), config_path=str(write_demo_config(home, site.base_url)))
        registry.registered_parsers.cache_clear()
    before = _state(home)
    with reader(home) as conn:
        prose_figures = scalar(conn, "SELECT count(*) FROM figures WHERE parser = 'prose'")
    requests = len(site.requests)

    summary = reparse(home=str(home), parser="prose")
    after = _state(home)
    assert after["figures"] == before["figures"]
    assert after["prose_versions"] == [("99.0.0",)]
    assert summary.counts.figures_replaced == prose_figures
    assert after["parse_runs"] == before["parse_runs"] + 24  # history kept
    assert len(site.requests) == requests

    again = reparse(home=str(home), parser="prose")
    assert _state(home) == after
    assert again.counts.parsed == 0
