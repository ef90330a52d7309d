"""The report's charts as Vega-Lite specs (built with Altair) and the Vega JavaScript that
draws them, inlined into the page so it opens offline.

Readable in print and for colour-blind readers: the Okabe–Ito palette, white gaps between
stacked segments, lines told apart by dash and point shape as well as colour, every month on
the axis (missing months leave gaps) with the year under January, thousands separators.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import altair as alt

from warehouse.outputs.report import wording
from warehouse.outputs.report.model import SourceSection

# Okabe & Ito (2008), "Color Universal Design"; black is kept for text.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OTHER_COLOUR = "#8C8C8C"  # "other parties" in neutral grey
EXTRA_COLOURS = ("#000000", "#5C5C5C", "#B0B0B0")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
WIDTH = 640
COUNT = ",d"


def colours(perpetrators: tuple[str, ...]) -> list[str]:
    """One colour per perpetrator, in stack order; 'other parties' grey."""
    named = iter(OKABE_ITO + EXTRA_COLOURS * (len(perpetrators) // 3 + 1))
    return [OTHER_COLOUR if p == "other_parties" else next(named) for p in perpetrators]


def month_key(month: date) -> str:
    """A month as the axis knows it: '2024-06'."""
    return f"{month.year:04d}-{month.month:02d}"


def _month_axis(section: SourceSection, max_labels: int = 24, bands: bool = True) -> alt.X:
    """Every month of the section in order, so missing months leave gaps. Labels every 1, 2,
    3, 6 or 12 months (whichever fits `max_labels`), the year under January and under the
    first label."""
    keys = [month_key(m) for m in section.months]
    step = next((s for s in (1, 2, 3, 6) if len(keys) / s <= max_labels), 12)
    labelled = [k for k in keys if (int(k[5:]) - 1) % step == 0]
    with_year = [k for k in labelled if k.endswith("-01")] + labelled[:1]
    name = "utcFormat(toDate(datum.value + '-15'), '%b')"
    year = "slice(datum.value, 0, 4)"
    label = (
        f"indexof({json.dumps(with_year)}, datum.value) >= 0 ? [{name}, {year}] : "
        f"indexof({json.dumps(labelled)}, datum.value) >= 0 ? {name} : ''"
    )
    scale = (
        alt.Scale(domain=keys, paddingInner=0.15, paddingOuter=0.1)
        if bands
        else alt.Scale(domain=keys, padding=0.5)
    )
    return alt.X(
        "month:O",
        scale=scale,
        axis=alt.Axis(title=None, labelExpr=label, labelAngle=0, labelPadding=4, ticks=False),
    )


def _config(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The spec with the report's fonts and quiet axes."""
    return (
        chart.configure(font=FONT, background="white")
        .configure_axis(labelFontSize=12, titleFontSize=12, labelColor="#222", gridColor="#e6e6e6")
        .configure_legend(labelFontSize=12, titleFontSize=12, labelLimit=260)
        .configure_header(labelFontSize=12, titleFontSize=12)
        .configure_view(stroke=None)
        .to_dict()
    )


def monthly_stack(section: SourceSection) -> dict[str, Any]:
    """Civilians killed per month, stacked by perpetrator, with the total above each bar."""
    order = section.perpetrators
    rank = {p: i for i, p in enumerate(order)}
    segments = [
        {
            "month": month_key(bar.month),
            "month_name": wording.month_label(bar.month),
            "perpetrator": wording.perpetrator_label(part.perpetrator),
            "rank": rank[part.perpetrator or ""],
            "count": part.count,
            "shown": part.text,
        }
        for bar in section.bars
        for part in bar.parts
    ]
    totals = [
        {
            "month": month_key(bar.month),
            "month_name": wording.month_label(bar.month),
            "top": bar.top,
            "label": bar.total.text,
        }
        for bar in section.bars
    ]
    labels = [wording.perpetrator_label(p) for p in order]
    colour = alt.Color(
        "perpetrator:N",
        title="Perpetrator",
        scale=alt.Scale(domain=labels[::-1], range=colours(order)[::-1]),
        legend=alt.Legend(orient="right", symbolType="square"),
    )
    bars = (
        alt.Chart(alt.Data(values=segments))
        .mark_bar(stroke="white", strokeWidth=0.75)
        .encode(
            x=_month_axis(section),
            y=alt.Y("count:Q", title="Civilians killed", axis=alt.Axis(format=COUNT)),
            color=colour,
            order=alt.Order("rank:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip("month_name:N", title="Month"),
                alt.Tooltip("perpetrator:N", title="Perpetrator"),
                alt.Tooltip("shown:N", title="Civilians killed"),
            ],
        )
    )
    text = (
        alt.Chart(alt.Data(values=totals))
        .mark_text(baseline="bottom", dy=-3, fontSize=11, color="#222")
        .encode(
            x=_month_axis(section),
            y=alt.Y("top:Q"),
            text="label:N",
            tooltip=[
                alt.Tooltip("month_name:N", title="Month"),
                alt.Tooltip("label:N", title="Total"),
            ],
        )
    )
    differing = [
        {
            "month": month_key(bar.month),
            "month_name": wording.month_label(bar.month),
            "stated": bar.total.stated.count,
            "label": bar.total.text,
        }
        for bar in section.bars
        if bar.parts and bar.total.stated and bar.total.stated.count != bar.total.parts_sum
    ]
    ticks = (
        alt.Chart(alt.Data(values=differing))
        .mark_tick(color="#222", thickness=2)
        .encode(
            x=_month_axis(section),
            y=alt.Y("stated:Q"),
            tooltip=[
                alt.Tooltip("month_name:N", title="Month"),
                alt.Tooltip("label:N", title="Stated total"),
            ],
        )
    )
    layers = [bars, text, ticks] if differing else [bars, text]  # no empty layer: Vega warns
    chart = alt.layer(*layers).properties(
        width=WIDTH,
        height=300,
        description=f"Civilians killed per month by perpetrator, {section.publisher}",
    )
    return _config(chart)


def perpetrator_multiples(section: SourceSection) -> dict[str, Any]:
    """One small chart per perpetrator, all on the same scale."""
    order = section.perpetrators
    values = [
        {
            "month": month_key(bar.month),
            "month_name": wording.month_label(bar.month),
            "perpetrator": wording.perpetrator_label(part.perpetrator),
            "count": part.count,
            "shown": part.text,
        }
        for bar in section.bars
        for part in bar.parts
    ]
    labels = [wording.perpetrator_label(p) for p in order]
    base = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=_month_axis(section, max_labels=4),
            y=alt.Y("count:Q", title=None, axis=alt.Axis(format=COUNT, tickCount=3)),
            color=alt.Color(
                "perpetrator:N", legend=None, scale=alt.Scale(domain=labels, range=colours(order))
            ),
            tooltip=[
                alt.Tooltip("month_name:N", title="Month"),
                alt.Tooltip("perpetrator:N", title="Perpetrator"),
                alt.Tooltip("shown:N", title="Civilians killed"),
            ],
        )
        .properties(width=200, height=90)
    )
    chart = base.facet(
        facet=alt.Facet(
            "perpetrator:N",
            sort=labels,
            title=None,
            header=alt.Header(labelFontWeight="bold", labelAnchor="start", labelOrient="top"),
        ),
        columns=3,
        spacing={"row": 18, "column": 24},
    ).resolve_axis(x="independent")
    chart = chart.properties(
        description=f"Civilians killed per month, one chart per perpetrator, {section.publisher}"
    )
    return _config(chart)


def child_women_shares(section: SourceSection) -> dict[str, Any]:
    """Children and women as shares of civilians, month by month."""
    values = []
    present = {row.month: row for row in section.shares}
    for month in section.months:
        row = present.get(month)
        for group, label in (("children", "Children"), ("women", "Women")):
            value = row.share(group) if row else None
            part = (row.children if group == "children" else row.women) if row else None
            values.append(
                {
                    "month": month_key(month),
                    "month_name": wording.month_label(month),
                    "group": label,
                    "share": value,  # None breaks the line at a missing month
                    "part": part.text if part else "not stated",
                    "civilians": row.civilians.text if row else "not stated",
                }
            )
    groups = ["Children", "Women"]
    x = _month_axis(section, bands=False)
    y = alt.Y("share:Q", title="Share of civilians killed", axis=alt.Axis(format=".0%"))
    colour = alt.Color(
        "group:N", legend=None, scale=alt.Scale(domain=groups, range=["#0072B2", "#D55E00"])
    )
    lines = (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=alt.OverlayMarkDef(size=60, filled=True), strokeWidth=2.5)
        .encode(
            x=x,
            y=y,
            color=colour,
            strokeDash=alt.StrokeDash(
                "group:N", legend=None, scale=alt.Scale(domain=groups, range=[[1, 0], [6, 3]])
            ),
            shape=alt.Shape(
                "group:N", legend=None, scale=alt.Scale(domain=groups, range=["circle", "square"])
            ),
            tooltip=[
                alt.Tooltip("month_name:N", title="Month"),
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("share:Q", title="Share of civilians", format=".1%"),
                alt.Tooltip("part:N", title="Killed"),
                alt.Tooltip("civilians:N", title="Civilians killed"),
            ],
        )
    )
    layers = [lines, *_line_labels(values, x, y, colour)]
    chart = alt.layer(*layers).properties(
        width=WIDTH,
        height=220,
        description=f"Children and women as a share of civilians killed, {section.publisher}",
    )
    return _config(chart)


def _line_labels(values: list[dict[str, Any]], x: alt.X, y: alt.Y, colour: alt.Color) -> list:
    """Each line named at its last point (instead of a legend), the higher label nudged up
    and the lower one down so they never overlap."""
    last = {}
    for value in values:
        if value["share"] is not None:
            last[value["group"]] = value
    ranked = sorted(last.values(), key=lambda v: v["share"], reverse=True)
    return [
        alt.Chart(alt.Data(values=[{**value, "label": value["group"]}]))
        .mark_text(align="left", dx=10, dy=-9 if i == 0 else 9, fontSize=12, fontWeight="bold")
        .encode(x=x, y=y, text="label:N", color=colour)
        for i, value in enumerate(ranked)
    ]


def governorate_bars(section: SourceSection) -> dict[str, Any]:
    """Civilians killed per governorate in the section's latest month with governorates."""
    values = [
        {"place": row.label, "count": row.civilians, "shown": row.cells[0].text}
        for row in section.governorates
        if row.cells[0]
    ]
    places = [str(v["place"]) for v in values]
    y = alt.Y("place:N", title=None, sort=places)
    x = alt.X("count:Q", title="Civilians killed", axis=alt.Axis(format=COUNT))
    bars = alt.Chart(alt.Data(values=values)).mark_bar(color="#0072B2").encode(
        x=x, y=y, tooltip=[alt.Tooltip("place:N", title="Governorate"),
                           alt.Tooltip("shown:N", title="Civilians killed")]
    )  # fmt: skip
    text = (
        alt.Chart(alt.Data(values=values))
        .mark_text(align="left", dx=4, fontSize=11, color="#222")
        .encode(x=x, y=y, text="shown:N")
    )
    month = wording.month_label(section.governorate_month) if section.governorate_month else ""
    chart = alt.layer(bars, text).properties(
        width=WIDTH - 120,
        height={"step": 20},
        description=f"Civilians killed per governorate, {month}, {section.publisher}",
    )
    return _config(chart)


CHARTS = {
    "monthly": monthly_stack,
    "multiples": perpetrator_multiples,
    "shares": child_women_shares,
    "governorates": governorate_bars,
}


def section_charts(section: SourceSection) -> dict[str, dict[str, Any]]:
    """The specs of a section's charts that have something to show."""
    shown = {
        "monthly": bool(section.bars),
        "multiples": any(bar.parts for bar in section.bars),
        "shares": any(row.children or row.women for row in section.shares),
        "governorates": any(row.cells[0] for row in section.governorates),
    }
    return {name: build(section) for name, build in CHARTS.items() if shown[name]}


VEGA_FILES = ("vega-6.2.0.min.js", "vega-lite-6.4.1.min.js", "vega-embed-7.1.0.min.js")


def _packaged(name: str) -> str:
    return resources.files("warehouse.outputs.report").joinpath(name).read_text("utf-8")


def _inline(script: str) -> str:
    """A script made safe to inline in a <script> element ("<\\/script" in its strings)."""
    return re.sub(r"</(script)", r"<\\/\1", script, flags=re.IGNORECASE)


@cache
def vega_javascript() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script, from the pinned minified files shipped
    with toll (vendor/VENDORED.md: versions, licences, hashes), safe to inline."""
    return _inline("\n".join(_packaged(f"vendor/{name}") for name in VEGA_FILES))


@cache
def embed_javascript() -> str:
    """The page's own script: draw every chart from its JSON spec, then mark the body."""
    return _inline(_packaged("embed.js"))
