"""The bundled sample site is what the generator makes, and has the shapes the issue asks for."""

from __future__ import annotations

import filecmp

import generate
import pdfplumber

from flows.sample_site.server import bundled_site


def test_bundled_site_is_current(tmp_path) -> None:
    generate.build_site(tmp_path / "site")
    comparison = filecmp.dircmp(bundled_site(), tmp_path / "site")
    stack = [comparison]
    while stack:
        current = stack.pop()
        assert not current.left_only and not current.right_only, current.left
        _, mismatch, errors = filecmp.cmpfiles(
            current.left, current.right, current.common_files, shallow=False
        )
        assert not mismatch and not errors, (
            f"regenerate with python tests/site/generate.py: {mismatch}"
        )
        stack.extend(current.subdirs.values())


def test_site_has_a_year_of_reports_and_a_table_across_two_pages() -> None:
    site = bundled_site()
    pdfs = sorted(site.glob("wp-content/uploads/*/*/*.pdf"))
    articles = sorted(site.glob("blog/*/*/*/*/index.html"))
    assert len(pdfs) == 12 and len(articles) == 12
    with pdfplumber.open(site / "wp-content/uploads/2025/01/M250101E.pdf") as pdf:
        assert len(pdf.pages) == 2
        assert pdf.pages[0].find_tables() and pdf.pages[1].find_tables()
    assert (site / "category/death-toll/page/3/index.html").exists()
