"""Scaffolding a new parser: the module, a fixture and its expected output, ready to edit.

`scaffold(name, root)` writes `parsers/formats/<name>.py` (a working parser built on the
prose grammar or the table readers, to be specialised), `tests/golden/<name>/example/input.*`
(a small sample document) and its `expected.json`; `tests/parsers/test_golden.py` runs it at once.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from parsers.registry import Parser

MEDIA = {
    "text": ("text/plain", "txt", "TEXT"),
    "html": ("text/html", "html", "HTML"),
    "pdf": ("application/pdf", "pdf", "PDF"),
}

MODULE_TEMPLATE = '''"""{title}

Parses {what}.
Start from the generic readers and specialise: name the labels this publisher uses, its
table layout, its headings. Keep it pure: bytes in, figures out.
"""

from __future__ import annotations

{imports}


def parse(document: Document) -> list[Figure]:
    """Figures of one {name} document."""
{body}


PARSER = Parser(
    name="{name}",
    version="0.1.0",
    media_types=frozenset({{{media_constant}}}),
    parse=parse,
    description="{description}",
    sources=frozenset({sources}),
    url_patterns=({url_patterns}),
    module=__name__,
)
'''

BODIES = {
    "text": (
        "from parsers.media import decode_text\nfrom parsers.prose_grammar import extract_figures",
        "    text = decode_text(document.content, document.charset)\n"
        '    return extract_figures(text, published=document.published, locator_kind="text")',
    ),
    "html": (
        "from parsers.html_document import read_html, readable_text\n"
        "from parsers.prose_grammar import extract_figures",
        "    page = read_html(document.content, document.charset)\n"
        "    text = readable_text(page.soup)\n"
        "    published = document.published or page.published\n"
        '    return extract_figures(text, published=published, locator_kind="html_text")',
    ),
    "pdf": (
        "from parsers.formats import pdf_tables",
        "    return pdf_tables.parse(document)",
    ),
}

SAMPLE_TEXT = (
    "{title} (sample)\n\nThe monitor documented the killing of 42 civilians, including 9 "
    "children and 5 women, in March 2024.\nRegime forces killed 30 civilians.\n"
)


@dataclass(frozen=True)
class Scaffold:
    """The files a scaffold wrote."""

    module: Path
    fixture: Path
    expected: Path


def _sorted_imports(lines: list[str]) -> str:
    """Import lines merged per module and sorted, as the linter wants them."""
    names: dict[str, set[str]] = {}
    for line in lines:
        module, imported = line.removeprefix("from ").split(" import ")
        names.setdefault(module, set()).update(n.strip() for n in imported.split(","))
    return "\n".join(
        f"from {module} import {', '.join(sorted(names[module]))}" for module in sorted(names)
    )


def valid_name(name: str) -> str:
    """A parser name must be a lowercase Python identifier not already taken."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        raise ValueError(f"{name!r} is not a valid parser name: use lowercase letters, digits, _")
    return name


SAMPLE_ROWS = (
    ("Perpetrator", "Civilians", "Children", "Women"),
    ("Syrian regime forces", "30", "6", "3"),
    ("Other parties", "12", "3", "2"),
    ("Total", "42", "9", "5"),
)
COLUMN_WIDTHS = (150, 70, 70, 70)  # points
ROW_HEIGHT = 18


def _pdf_string(text: str) -> str:
    """A PDF literal string (Latin-1 text; backslashes and parentheses escaped)."""
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _table_drawing(rows: tuple[tuple[str, ...], ...], left: float, top: float) -> list[str]:
    """Content-stream operators of a ruled table: every cell boxed, its text inside."""
    right = left + sum(COLUMN_WIDTHS)
    bottom = top - ROW_HEIGHT * len(rows)
    xs = [left + sum(COLUMN_WIDTHS[:i]) for i in range(len(COLUMN_WIDTHS) + 1)]
    ops = ["0.6 w"]
    ops += [f"{left} {top - ROW_HEIGHT * i} m {right} {top - ROW_HEIGHT * i} l S"
            for i in range(len(rows) + 1)]  # fmt: skip
    ops += [f"{x} {top} m {x} {bottom} l S" for x in xs]
    for i, row in enumerate(rows):
        for x, cell in zip(xs, row, strict=False):
            y = top - ROW_HEIGHT * (i + 1) + 5
            ops.append(f"BT /F1 10 Tf {x + 4} {y} Td {_pdf_string(cell)} Tj ET")
    return ops


def pdf_from_objects(objects: list[bytes]) -> bytes:
    """A PDF file from object bodies (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def sample_pdf(title: str, rows: tuple[tuple[str, ...], ...] = SAMPLE_ROWS) -> bytes:
    """A one-page A4 PDF: a heading and a ruled table of `rows`, in Helvetica (one of the
    standard fonts, so nothing is embedded). Written by hand (1.5 KB), so that
    `toll parsers new --media pdf` needs no PDF library on a plain install (reportlab, which
    wrote it before, is only a test dependency)."""
    heading = f"BT /F1 13 Tf 60 780 Td {_pdf_string(title)} Tj ET"
    stream = "\n".join([heading, *_table_drawing(rows, 60, 750)]).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    return pdf_from_objects(objects)


def scaffold(
    name: str,
    root: Path,
    media: str = "html",
    source: str | None = None,
    url_pattern: str | None = None,
    description: str | None = None,
) -> Scaffold:
    """Write a new parser's module, fixture and expected output under `root` (a checkout)."""
    valid_name(name)
    if media not in MEDIA:
        raise ValueError(f"media must be one of {', '.join(MEDIA)}")
    _, extension, constant = MEDIA[media]
    module = root / "parsers" / "formats" / f"{name}.py"
    case = root / "tests" / "golden" / name / "example"
    if module.exists() or case.exists():
        raise FileExistsError(f"{module} or {case} already exists")
    title = name.replace("_", " ").capitalize()
    specific_imports, body = BODIES[media]
    import_lines = [
        f"from parsers.media import {constant}",
        "from parsers.model import Document, Figure",
        "from parsers.registry import Parser",
        *specific_imports.splitlines(),
    ]
    imports = _sorted_imports(import_lines)
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(
        MODULE_TEMPLATE.format(
            title=f"Parser for {title} documents.",
            what=f"{media.upper()} documents of {source or 'a publisher'}",
            name=name,
            media_constant=constant,
            imports=imports,
            body=body,
            description=description or f"{title} documents (scaffolded; describe what it claims)",
            sources=f'{{"{source}"}}' if source else "",
            url_patterns=f'r"{url_pattern}",' if url_pattern else "",
        ),
        encoding="utf-8",
    )
    case.mkdir(parents=True)
    fixture = case / f"input.{extension}"
    sample = SAMPLE_TEXT.format(title=title)
    if media == "pdf":
        fixture.write_bytes(sample_pdf(f"{title}: civilian deaths by perpetrator, March 2024"))
    elif media == "html":
        paragraphs = "".join(f"<p>{line}</p>" for line in sample.splitlines()[1:] if line)
        fixture.write_text(
            f"<!DOCTYPE html><html><body><h1>{title} (sample)</h1>{paragraphs}</body></html>\n",
            encoding="utf-8",
        )
    else:
        fixture.write_text(sample, encoding="utf-8")
    expected = case / "expected.json"
    return Scaffold(module, fixture, expected)


def load_module(path: Path) -> ModuleType:
    """Import a parser module from a file (a scaffold outside the installed package)."""
    spec = importlib.util.spec_from_file_location(f"toll_scaffold_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def parser_of(path: Path) -> Parser:
    """The PARSER a module file defines."""
    parser = getattr(load_module(path), "PARSER", None)
    if not isinstance(parser, Parser):
        raise TypeError(f"{path} defines no PARSER")
    return parser
