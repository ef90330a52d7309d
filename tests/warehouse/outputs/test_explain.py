"""toll explain: the provenance of one figure, and the PDF page with its cell outlined."""

from __future__ import annotations

import pytest
from PIL import Image
from typer.testing import CliRunner

from flows.cli.app import app
from warehouse.database import reader
from warehouse.outputs.explain import explain, number_spans, render_pdf_page
from warehouse.sql import scalar

pytestmark = [pytest.mark.flow]
runner = CliRunner()


def test_number_spans() -> None:
    assert number_spans("killed 1,203 civilians in 2023", 1203) == [(7, 12)]
    assert number_spans("Total | Civilians: 93", 93) == [(19, 21)]
    assert number_spans("مقتل ١٢٠٣ مدنياً", 1203) == [(5, 9)]


def test_pdf_cell_is_outlined(sample_home, tmp_path) -> None:
    with reader(sample_home) as conn:
        figure_id = scalar(
            conn,
            "SELECT figure_id FROM figures WHERE parser = 'pdf_tables' ORDER BY figure_id LIMIT 1",
        )
        found = explain(conn, figure_id[:10])
    out = render_pdf_page(sample_home, found, tmp_path / "cell.png", resolution=72)
    image = Image.open(out).convert("RGB")
    x0, top, x1, _ = found.locator["bbox"]
    red = (0xD6, 0x27, 0x28)
    band = [  # the outline is drawn just inside the cell's top edge
        image.getpixel((int(x), int(y)))
        for x in range(int(x0) + 3, int(x1) - 3)
        for y in range(int(top), int(top) + 4)
    ]
    assert sum(1 for pixel in band if pixel == red) > len(band) // 3


def test_cli_explains_a_figure(sample_home, tmp_path) -> None:
    with reader(sample_home) as conn:
        figure_id = scalar(
            conn, "SELECT figure_id FROM figures WHERE parser = 'html_tables' LIMIT 1"
        )
    result = runner.invoke(app, ["explain", figure_id, "--home", str(sample_home)])
    assert result.exit_code == 0, result.output
    assert "html_tables" in result.stdout and "HTML element" in result.stdout
    assert "td:nth-of-type" in result.stdout.replace("\n", "")
    png = runner.invoke(app, ["explain", figure_id, "--home", str(sample_home), "--png", "x.png"])
    assert png.exit_code == 1 and "only figures read from a PDF" in png.output


def test_unknown_figure(sample_home) -> None:
    result = runner.invoke(app, ["explain", "ffffffffff", "--home", str(sample_home)])
    assert result.exit_code == 2 and "no figure" in result.output
