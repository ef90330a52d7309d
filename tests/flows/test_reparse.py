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


def _changed_prose(document):
    """A prose 'upgrade' that changes the first figure's count, drops the last one and reads
    one more figure elsewhere in the document."""
    from parsers.model import Locator

    figures = prose.parse(document)
    if not figures:
        return figures
    changed = [dataclasses.replace(figures[0], count=figures[0].count + 1), *figures[1:-1]]
    extra = dataclasses.replace(
        figures[0], count=4242, parent=None,
        locator=Locator("text", char_start=10**6, char_end=10**6 + 4),
    )  # fmt: skip
    return [*changed, extra]


def test_dry_run_shows_what_an_upgrade_would_change_and_writes_nothing(
    home, site, monkeypatch
) -> None:
    from flows.reparse_preview import preview_reparse

    nightly, _ = _flows()
    nightly(home=str(home), config_path=str(write_demo_config(home, site.base_url)))
    before = _state(home)
    with reader(home) as conn:
        per_document = [
            n for (n,) in conn.execute(
                "SELECT count(*) FROM figures WHERE parser = 'prose' GROUP BY sha256"
            ).fetchall()
        ]  # fmt: skip
    requests = len(site.requests)
    shipped = prose.PARSER.version
    registry.registered_parsers.cache_clear()
    upgraded = dataclasses.replace(prose.PARSER, version="99.0.0", parse=_changed_prose)
    monkeypatch.setattr(prose, "PARSER", upgraded)

    preview = preview_reparse(home, parser="prose")
    registry.registered_parsers.cache_clear()

    (group,) = [g for g in preview.groups if g.parser == "prose"]
    assert group.to_version == "99.0.0" and group.from_versions == {shipped}
    assert (group.count("added"), group.count("removed"), group.count("changed")) == (
        len(per_document),
        sum(1 for n in per_document if n > 1),  # a lone figure is changed, not dropped
        len(per_document),
    )
    assert group.unchanged == sum(max(n - 2, 0) for n in per_document)
    change = group.examples("changed", 1)[0]
    assert change.fields() == ["count"] and change.after["count"] == change.before["count"] + 1
    assert group.examples("added", 1)[0].after["count"] == 4242
    assert _state(home) == before  # nothing written
    assert len(site.requests) == requests  # no network
