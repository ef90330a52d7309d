"""A page's encoding named only by its server: an Arabic page in windows-1256 served with
`Content-Type: text/html; charset=windows-1256` and no <meta> is read in Arabic by the real
nightly flow (it used to be guessed as Windows-1252: mojibake, no figure)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.sample_site.demo import write_demo_config
from flows.sample_site.server import Fault
from parsers.html_document import read_html
from parsers.media import charset_of, decode_text
from parsers.model import Document
from parsers.registry import parse_document
from tests.support import hostile_documents as hostile
from warehouse.database import reader

ARABIC = (
    "<html><head><title>تقرير آذار</title></head><body>"
    "<p>وثقت الشبكة مقتل 412 مدنياً في شهر آذار 2024.</p></body></html>"
)
PAGE = ARABIC.encode("windows-1256")


def test_the_http_charset_decides_then_the_page_then_detection() -> None:
    assert charset_of("text/html; charset=Windows-1256") == "windows-1256"
    assert charset_of('text/html;charset="utf-8"') == "utf-8" and charset_of("text/html") is None
    assert read_html(PAGE, "windows-1256").title == "تقرير آذار"
    assert "مقتل 412" in decode_text(PAGE, "windows-1256")
    utf8_bom = b"\xef\xbb\xbf" + ARABIC.encode()
    assert "مقتل 412" in decode_text(utf8_bom, "windows-1256")  # a byte-order mark wins
    wrong = ARABIC.replace("<head>", "<head><meta charset='utf-8'>").encode("windows-1256")
    assert "مقتل 412" in decode_text(wrong, "windows-1256", html=True)
    mislabelled = decode_text(hostile.html_wrong_charset(), "utf-8", html=True)
    assert "Comité" in mislabelled and "d’avril" in mislabelled  # a wrong label: detected


def test_parsers_read_the_page_in_the_servers_charset() -> None:
    document = Document.from_bytes(
        PAGE,
        url="http://127.0.0.1/ar.html",
        source="hostile",
        media_type="text/html",
        fetched_at=datetime.now(UTC),
        charset="windows-1256",
    )
    counts = [r.count for o in parse_document(document) for r in o.records]
    assert 412 in counts


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_an_arabic_page_named_only_by_its_server_is_read_in_arabic(
    home: Path, site, site_root: Path, reliability
) -> None:
    from flows.nightly import make_task_runner, nightly
    from flows.reparse import archived_documents

    feed = hostile.serve(site_root, {"arabic.html": PAGE}, ["/hostile/arabic.html"])
    site.faults["/hostile/arabic.html"] = Fault(
        "content_type", content_type="text/html; charset=windows-1256"
    )
    config = write_demo_config(home, site.base_url)
    config.write_text(hostile.hostile_source(site.base_url, feed))
    flow = nightly.with_options(task_runner=make_task_runner("threads", 2))
    summary = flow(home=str(home), config_path=str(config))
    with reader(home) as conn:
        figures = conn.execute("SELECT count, snippet FROM figures").fetchall()
        archived = {d.url: d.charset for d in archived_documents(conn, None, None)}
    counts = sorted(count for count, _ in figures)
    reliability.record(
        "html_http_charset",
        f"parsed: {len(figures)} figure(s) {counts}, read in Arabic from the bytes in the "
        "server's charset (snippet “" + (figures[0][1][:30] if figures else "") + "…”)",
        summary.status == "completed",
        None if 412 in counts else "the figure was not read",
    )
    assert summary.status == "completed", summary.failures
    assert 412 in counts and all("مدني" in snippet for _, snippet in figures)
    assert archived[f"{site.base_url}/hostile/arabic.html"] == "windows-1256"  # for `toll reparse`
