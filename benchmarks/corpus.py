"""Synthetic PDF reports for the benchmarks, shaped like monitors' monthly reports (ruled
tables of perpetrators and governorates, pages of prose). Written with reportlab in invariant
mode, so a corpus is the same bytes on every machine."""

from __future__ import annotations

import random
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

PERPETRATORS = [
    "Syrian regime forces", "Russian forces", "ISIS", "Hay'at Tahrir al-Sham",
    "Syrian Democratic Forces", "Armed opposition factions", "International coalition forces",
    "Other parties",
]  # fmt: skip
GOVERNORATES = [
    "Idlib", "Aleppo", "Damascus suburbs", "Daraa", "Hama", "Homs", "Deir Ez-Zor", "Raqqa",
    "Hasaka", "Lattakia", "Damascus", "Suwayda", "Tartus", "Quneitra",
]  # fmt: skip
SENTENCE = (
    "The monitor's team documented the incidents through witnesses, survivors and local "
    "sources, and cross-checked each account before including it in this report. "
)


def _table(labels: list[str], header: str, rng: random.Random) -> Table:
    rows = [[header, "Civilians", "Children", "Women"]]
    totals = [0, 0, 0]
    for label in labels:
        civilians = rng.randint(5, 120)
        values = [civilians, rng.randint(0, civilians // 3), rng.randint(0, civilians // 5)]
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        rows.append([label, *map(str, values)])
    rows.append(["Total", *map(str, totals)])
    table = Table(rows, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ]
        )
    )
    return table


def _prose(styles, rng: random.Random, paragraphs: int) -> list:
    story = []
    for _ in range(paragraphs):
        story.append(Paragraph(SENTENCE * rng.randint(3, 6), styles["BodyText"]))
        story.append(Spacer(1, 6))
    return story


def table_report(path: Path, pages: int, seed: int) -> Path:
    """A report with one perpetrator or governorate table on every page."""
    rng = random.Random(seed)
    styles = getSampleStyleSheet()
    story: list = []
    for number in range(pages):
        month = f"month {number + 1}"
        if number % 2 == 0:
            story.append(Paragraph(f"Civilian deaths by perpetrator, {month}", styles["Heading3"]))
            story.append(_table(PERPETRATORS, "Perpetrator", rng))
        else:
            story.append(Paragraph(f"Civilian deaths by governorate, {month}", styles["Heading3"]))
            story.append(_table(GOVERNORATES, "Governorate", rng))
        story += _prose(styles, rng, 2)
        story.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)
    return path


def mostly_prose_report(path: Path, pages: int, table_pages: set[int], seed: int) -> Path:
    """A long report whose tables sit on a few pages only (the usual monthly report)."""
    rng = random.Random(seed)
    styles = getSampleStyleSheet()
    story: list = []
    for number in range(pages):
        if number in table_pages:
            story.append(Paragraph("Civilian deaths by perpetrator", styles["Heading3"]))
            story.append(_table(PERPETRATORS, "Perpetrator", rng))
        else:
            story += _prose(styles, rng, 4)
        story.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)
    return path


def table_corpus(folder: Path, documents: int = 20, pages_each: int = 10) -> list[Path]:
    """`documents` table reports of `pages_each` pages (200 pages by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        table_report(folder / f"report-{i:03d}.pdf", pages_each, seed=i) for i in range(documents)
    ]
