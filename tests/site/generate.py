"""Build the sample publisher website that the demo and the integration tests ingest.

A fictional monitor ("Example Monitor for Human Rights", all figures synthetic) publishes a
monthly death-toll report the way real monitors do: a WordPress-like RSS feed and paginated
category listing, an article per month with the figures in prose (and, some months, in an
HTML table with merged header cells), and a PDF report whose tables break the month down by
perpetrator (civilians, children, women) and by governorate. One report's governorate table
runs across two pages without repeating its header.

Deterministic: the same call writes the same bytes (seeded numbers, reportlab in invariant
mode). Run `python tests/site/generate.py` to rewrite `flows/sample_site/public/`;
`tests/flows/test_sample_site.py` checks the committed copy is current.
"""

from __future__ import annotations

import calendar
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

SITE = "__SITE__"  # replaced by the server with its own address
PUBLISHER = "Example Monitor for Human Rights"
SHORT = "EMHR"
DISCLAIMER = "Sample data generated for toll's demo and tests: these are not real casualty figures."
YEAR = 2024
MONTHS = range(1, 13)
FEED_SIZE = 10
PAGE_SIZE = 5
SPLIT_TABLE_MONTH = 12  # this report's governorate table continues on the next page
HTML_TABLE_MONTHS = {3, 6, 9, 12}
DASH_LIST_MONTHS = {4, 10}

PERPETRATORS = [
    ("Syrian regime forces", 0.42),
    ("Russian forces", 0.14),
    ("ISIS", 0.06),
    ("Hay'at Tahrir al-Sham", 0.05),
    ("Syrian Democratic Forces", 0.07),
    ("Armed opposition factions", 0.06),
    ("International coalition forces", 0.04),
    ("Other parties", 0.16),
]
GOVERNORATES = [
    "Idlib", "Aleppo", "Damascus suburbs", "Daraa", "Hama", "Homs", "Deir Ez-Zor",
    "Raqqa", "Hasaka", "Lattakia", "Damascus", "Suwayda", "Tartus", "Quneitra",
]  # fmt: skip
WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@dataclass(frozen=True)
class Toll:
    """Civilians killed with the children and women among them."""

    civilians: int
    children: int
    women: int


@dataclass
class Report:
    """One month's synthetic report."""

    month: int
    by_perpetrator: dict[str, Toll]
    by_governorate: dict[str, Toll]
    torture: int
    media_workers: int
    corrected: bool = False
    year: int = YEAR
    published: date = field(init=False)

    def __post_init__(self) -> None:
        self.published = date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def month_name(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"

    @property
    def total(self) -> Toll:
        values = self.by_perpetrator.values()
        return Toll(
            sum(t.civilians for t in values),
            sum(t.children for t in values),
            sum(t.women for t in values),
        )

    @property
    def slug(self) -> str:
        t = self.total
        return (
            f"{t.civilians}-civilians-including-{t.children}-children-and-{t.women}-women-"
            f"killed-in-{calendar.month_name[self.month].lower()}-{self.year}"
        )

    @property
    def article_path(self) -> str:
        p = self.published
        return f"/blog/{p.year}/{p.month:02d}/{p.day:02d}/{self.slug}/"

    @property
    def pdf_path(self) -> str:
        p = self.published
        return f"/wp-content/uploads/{p.year}/{p.month:02d}/M{str(p.year)[2:]}{p.month:02d}01E.pdf"

    @property
    def title(self) -> str:
        t = self.total
        return (
            f"{t.civilians:,} Civilians Killed in {self.month_name}, Including {t.children} "
            f"Children and {t.women} Women"
        )


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split a total into integer parts roughly along weights."""
    raw = [w * rng.uniform(0.6, 1.4) for w in weights]
    scale = total / sum(raw)
    parts = [int(r * scale) for r in raw]
    for i in range(total - sum(parts)):
        parts[i % len(parts)] += 1
    return parts


def make_report(month: int, corrected: bool = False, year: int = YEAR) -> Report:
    """The synthetic figures of one month (seeded by the month)."""
    rng = random.Random(year * 100 + month)
    total = rng.randint(90, 260)
    civilians = _split(total, [w for _, w in PERPETRATORS], rng)
    by_perpetrator = {}
    for (name, _), count in zip(PERPETRATORS, civilians, strict=True):
        children = int(count * rng.uniform(0.1, 0.3))
        women = int(count * rng.uniform(0.05, 0.18))
        by_perpetrator[name] = Toll(count, children, women)
    if corrected:  # the correction a monitor publishes: one perpetrator's count revised
        name = PERPETRATORS[1][0]
        old = by_perpetrator[name]
        by_perpetrator[name] = Toll(old.civilians + 3, old.children + 1, old.women)
    report = Report(
        month, by_perpetrator, {}, rng.randint(3, 15), rng.randint(0, 3), corrected, year
    )
    t = report.total
    gov_weights = [1.0 / (i + 1.5) for i in range(len(GOVERNORATES))]
    rng.shuffle(gov_weights)
    civ = _split(t.civilians, gov_weights, rng)
    chi = _split(t.children, gov_weights, rng)
    wom = _split(t.women, gov_weights, rng)
    for name, c, ch, w in zip(GOVERNORATES, civ, chi, wom, strict=True):
        ch = min(ch, c)
        w = min(w, c - ch)
        report.by_governorate[name] = Toll(c, ch, w)
    return report


def _count(n: int, noun: str, rng: random.Random) -> str:
    """A count with its noun; small numbers are sometimes written in words, as in real
    releases ("one child", "seven women")."""
    if n == 1:
        singular = {"children": "child", "women": "woman"}[noun]
        return f"one {singular}" if rng.random() < 0.5 else f"1 {singular}"
    if 1 < n < 10 and rng.random() < 0.5:
        return f"{WORDS[n]} {noun}"
    return f"{n} {noun}"


# ----------------------------------------------------------------------------------- articles


def _perpetrator_paragraphs(report: Report) -> list[str]:
    rng = random.Random(report.month)
    style = report.month % 3
    paragraphs = []
    ordinals = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth"]
    for index, (name, toll) in enumerate(report.by_perpetrator.items()):
        children, women = _count(toll.children, "children", rng), _count(toll.women, "women", rng)
        if style == 0:
            paragraphs.append(
                f"<p>{name} killed {toll.civilians} civilians, including {children} "
                f"and {women}.</p>"
            )
        elif style == 1:
            paragraphs.append(f"<h3>{ordinals[index]}: {name}</h3>")
            paragraphs.append(
                f"<p>We documented the killing of {toll.civilians} civilians, including "
                f"{children} and {women}.</p>"
            )
        else:
            paragraphs.append(
                f"<p>{toll.civilians} civilians, including {children} and {women}, were killed "
                f"at the hands of {name}.</p>"
            )
    return paragraphs


def _html_table(report: Report) -> str:
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{t.civilians}</td><td>{t.children}</td>"
        f"<td>{t.women}</td></tr>"
        for name, t in report.by_perpetrator.items()
    )
    t = report.total
    return (
        f"<table class='toll'><caption>Civilian deaths by perpetrator, {report.month_name}"
        "</caption><thead><tr><th rowspan='2'>Perpetrator</th><th colspan='3'>Victims</th></tr>"
        "<tr><th>Civilians</th><th>Children</th><th>Women</th></tr></thead><tbody>"
        f"{rows}<tr><td><b>Total</b></td><td><b>{t.civilians}</b></td><td><b>{t.children}</b>"
        f"</td><td><b>{t.women}</b></td></tr></tbody></table>"
    )


def _dash_list(report: Report) -> str:
    items = "".join(
        f"<li>– {name}: {t.civilians}</li>"
        for name, t in report.by_governorate.items()
        if t.civilians
    )
    return f"<p>Civilian deaths by governorate in {report.month_name}:</p><ul>{items}</ul>"


def article_html(report: Report) -> str:
    """The press-release page of a report."""
    t = report.total
    body = [
        f"<p class='disclaimer'><em>{DISCLAIMER}</em></p>",
        f"<p>The {PUBLISHER} ({SHORT}) documented the killing of {t.civilians:,} civilians, "
        f"including {t.children} children and {t.women} women, in {report.month_name} at the "
        "hands of the parties to the conflict in Syria.</p>",
        *_perpetrator_paragraphs(report),
        "<h3>Other findings</h3>",
        f"<p>The report also documented {report.torture} deaths due to torture and the killing "
        f"of {report.media_workers} media workers. The {20 + report.month}-page report says "
        "that children were killed at a rate of nearly two children a day.</p>",
    ]
    if report.month in HTML_TABLE_MONTHS:
        body.append(_html_table(report))
    if report.month in DASH_LIST_MONTHS:
        body.append(_dash_list(report))
    if report.corrected:
        body.append("<p><strong>Correction:</strong> this report was revised.</p>")
    body.append(f"<p><a href='{report.pdf_path}'>Download the full report (PDF)</a></p>")
    return _page(report.title, "\n".join(body), report.published)


def _page(title: str, body: str, published: date | None = None) -> str:
    meta = (
        f"<meta property='article:published_time' content='{published.isoformat()}T09:00:00+00:00'>"
        if published
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} – {SHORT}</title>{meta}</head>
<body><header><nav><a href="/">Home</a> | <a href="/category/death-toll/">Death toll reports</a>
| <a href="/feed/">RSS</a></nav></header>
<article><h1>{escape(title)}</h1>
{body}
</article><footer><p>{PUBLISHER} – sample site for toll.</p></footer></body></html>
"""


# ----------------------------------------------------------------------------------- listings


def _rfc822(day: date) -> str:
    weekday = calendar.day_abbr[day.weekday()]
    month = calendar.month_abbr[day.month]
    return f"{weekday}, {day.day:02d} {month} {day.year} 09:00:00 +0000"


def feed_xml(reports: list[Report]) -> str:
    """RSS 2.0 feed of the newest reports, WordPress style."""
    items = "".join(
        f"""
  <item>
    <title>{xml_escape(r.title)}</title>
    <link>{SITE}{r.article_path}</link>
    <pubDate>{_rfc822(r.published)}</pubDate>
    <category>Death toll</category>
    <guid isPermaLink="true">{SITE}{r.article_path}</guid>
  </item>"""
        for r in reports[:FEED_SIZE]
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>{PUBLISHER} – Death toll reports</title>
  <link>{SITE}/category/death-toll/</link>
  <description>{DISCLAIMER}</description>{items}
</channel></rss>
"""


def listing_html(reports: list[Report], page: int, pages: int) -> str:
    """One page of the category listing, with an 'Older posts' link."""
    entries = "".join(
        f"<li><a href='{r.article_path}'>{escape(r.title)}</a> <time>{r.published}</time></li>"
        for r in reports
    )
    older = (
        f"<a class='next' rel='next' href='/category/death-toll/page/{page + 1}/'>Older posts</a>"
        if page < pages
        else ""
    )
    return _page(f"Death toll reports – page {page}", f"<ul class='posts'>{entries}</ul>{older}")


# ----------------------------------------------------------------------------------- PDFs


def _table(rows: list[list[str]], header_rows: int) -> Table:
    table = Table(rows, repeatRows=0, hAlign="LEFT")
    style = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("FONTNAME", (0, 0), (-1, header_rows - 1), "Helvetica-Bold"),
        ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ]
    if header_rows == 2:
        style += [("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (3, 0))]
    table.setStyle(TableStyle(style))
    return table


def report_pdf(report: Report, path: Path) -> None:
    """The monthly PDF report."""
    styles = getSampleStyleSheet()
    t = report.total
    story = [
        Paragraph(f"{PUBLISHER}", styles["Title"]),
        Paragraph(f"Monthly death toll report: {report.month_name}", styles["Heading1"]),
        Paragraph(DISCLAIMER, styles["Italic"]),
        Paragraph(
            f"{SHORT} documented the killing of {t.civilians:,} civilians, including "
            f"{t.children} children and {t.women} women, in Syria in {report.month_name}.",
            styles["BodyText"],
        ),
        Spacer(1, 0.4 * cm),
        Paragraph(
            f"Table 1: Civilian deaths by perpetrator, {report.month_name}", styles["Heading3"]
        ),
    ]
    perpetrator_rows = [["Perpetrator", "Victims", "", ""], ["", "Civilians", "Children", "Women"]]
    perpetrator_rows += [
        [name, str(x.civilians), str(x.children), str(x.women)]
        for name, x in report.by_perpetrator.items()
    ]
    perpetrator_rows.append(["Total", str(t.civilians), str(t.children), str(t.women)])
    story.append(_table(perpetrator_rows, header_rows=2))
    if report.month == SPLIT_TABLE_MONTH:
        story.append(Spacer(1, 9.5 * cm))  # push the next table to the page's foot
    else:
        story.append(Spacer(1, 0.6 * cm))
    story.append(
        Paragraph(
            f"Table 2: Civilian deaths by governorate, {report.month_name}", styles["Heading3"]
        )
    )
    governorate_rows = [["Governorate", "Civilians", "Children", "Women"]]
    governorate_rows += [
        [name, str(x.civilians), str(x.children), str(x.women)]
        for name, x in report.by_governorate.items()
    ]
    governorate_rows.append(["Total", str(t.civilians), str(t.children), str(t.women)])
    story.append(_table(governorate_rows, header_rows=1))
    story.append(Spacer(1, 0.6 * cm))
    story.append(
        Paragraph(
            f"In addition, {SHORT} documented {report.torture} deaths due to torture in "
            f"{report.month_name}.",
            styles["BodyText"],
        )
    )
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        invariant=1,
        title=report.title,
        author=PUBLISHER,
        creator="toll sample site generator",
        producer="reportlab",
    )
    doc.build(story)


# ----------------------------------------------------------------------------------- site


def _write(root: Path, url_path: str, content: str | bytes, name: str = "index.html") -> None:
    target = (
        root / url_path.strip("/") / name if url_path.endswith("/") else root / url_path.lstrip("/")
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        target.write_text(content, encoding="utf-8")
    else:
        target.write_bytes(content)


def build_site(
    root: Path, corrected: frozenset[int] = frozenset(), years: tuple[int, ...] = (YEAR,)
) -> list[Report]:
    """Write the whole site under `root` (emptied first): a report for each month of `years`.
    `corrected` months (of the last year) get revised figures (new bytes at the same URLs).
    More years make a larger site for the benchmarks."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    reports = [
        make_report(m, corrected=m in corrected and year == years[-1], year=year)
        for year in years
        for m in MONTHS
    ]
    newest_first = sorted(reports, key=lambda r: r.published, reverse=True)
    last_modified = {}
    for report in reports:
        _write(root, report.article_path, article_html(report))
        pdf_target = root / report.pdf_path.lstrip("/")
        pdf_target.parent.mkdir(parents=True, exist_ok=True)
        report_pdf(report, pdf_target)
        last_modified[report.article_path] = report.published.isoformat()
        last_modified[report.pdf_path] = report.published.isoformat()
    _write(root, "/feed/", feed_xml(newest_first), name="index.xml")
    pages = (len(newest_first) + PAGE_SIZE - 1) // PAGE_SIZE
    for page in range(1, pages + 1):
        chunk = newest_first[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        path = "/category/death-toll/" if page == 1 else f"/category/death-toll/page/{page}/"
        _write(root, path, listing_html(chunk, page, pages))
    _write(
        root,
        "/",
        _page(
            PUBLISHER,
            f"<p>{DISCLAIMER}</p><p><a href='/category/death-toll/'>Monthly death toll "
            "reports</a></p>",
        ),
    )
    _write(root, "/robots.txt", "User-agent: *\nDisallow: /private/\n")
    (root / "_site.json").write_text(
        json.dumps({"last_modified": last_modified}, indent=1, sort_keys=True) + "\n"
    )
    return reports


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "flows" / "sample_site" / "public"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    built = build_site(target)
    print(f"wrote {len(built)} reports to {target}")
