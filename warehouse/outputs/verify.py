"""`toll verify`: prove the archive is what the warehouse says it is.

Every file under `archive/` must be named by the SHA-256 of its bytes; every document in the
published warehouse must have its file there, at the path its hash gives; nothing in the
warehouse may point at a document that is not there. Problems (a corrupt or missing file, a
dangling reference) mean evidence is damaged and exit 1. Notes do not: an orphan file is what
a run leaves when it stops between archiving and loading (the next run that fetches the
document uses it), and a `.incoming-` file is a write cut short.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from warehouse import archive

PROBLEMS = ("corrupt", "missing", "misplaced", "no_archive_path", "dangling")
NOTES = ("orphan", "incomplete", "unexpected")
_NAME = re.compile(r"^archive/([0-9a-f]{2})/([0-9a-f]{64})\.(pdf|html|txt)$")
_REFERENCES = ("fetches", "parse_runs", "figures")


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or worth knowing) about the archive or the warehouse's references."""

    kind: str
    path: str | None
    detail: str

    @property
    def problem(self) -> bool:
        """True when this damages the evidence (exit 1); notes do not."""
        return self.kind in PROBLEMS


@dataclass(frozen=True)
class Verification:
    """What `toll verify` checked and found."""

    files: int
    documents: int
    warehouse: str | None
    findings: tuple[Finding, ...]

    @property
    def problems(self) -> list[Finding]:
        """Findings that mean damaged evidence."""
        return [f for f in self.findings if f.problem]

    @property
    def notes(self) -> list[Finding]:
        """Findings that are harmless leftovers."""
        return [f for f in self.findings if not f.problem]

    def as_json(self) -> dict[str, object]:
        """The verification as a JSON-ready dict."""
        return {
            "ok": not self.problems,
            "files": self.files,
            "documents": self.documents,
            "warehouse": self.warehouse,
            "problems": [asdict(f) for f in self.problems],
            "notes": [asdict(f) for f in self.notes],
        }


def check_archive(home: Path) -> tuple[dict[str, str], list[Finding]]:
    """Re-hash every archived file. Returns {relative path: sha256} of well-named files and
    the findings (corrupt, leftover temporary and unexpected files)."""
    root = home / archive.ARCHIVE_DIR
    hashes: dict[str, str] = {}
    findings: list[Finding] = []
    if not root.is_dir():
        return hashes, findings
    for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
        relative = path.relative_to(home).as_posix()
        if path.name.startswith(archive.TEMPORARY_PREFIX):
            findings.append(
                Finding("incomplete", relative, "a write cut short (crash or full disk)")
            )
            continue
        match = _NAME.match(relative)
        if path.is_symlink() or not match or match.group(1) != match.group(2)[:2]:
            findings.append(Finding("unexpected", relative, "not a file toll wrote"))
            continue
        try:
            actual = archive.file_sha256(path)
        except OSError as error:
            findings.append(Finding("corrupt", relative, f"unreadable: {error}"))
            continue
        if actual != match.group(2):
            findings.append(Finding("corrupt", relative, f"its bytes hash to {actual}"))
        hashes[relative] = actual
    return hashes, findings


def check_references(home: Path, hashes: dict[str, str]) -> tuple[int, list[Finding]]:
    """Check the published warehouse's documents against the archive, and that every fetch,
    parse run and figure points at a document. Returns (documents, findings)."""
    from warehouse.database import connect_reader

    findings: list[Finding] = []
    conn = connect_reader(home)
    try:
        documents = conn.execute(
            "SELECT sha256, archive_path, media_type, url FROM documents ORDER BY sha256"
        ).fetchall()
        dangling = {
            table: conn.execute(
                f"""
                SELECT count(*), min(t.sha256) FROM {table} t
                WHERE t.sha256 IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = t.sha256)
                """
            ).fetchone()
            for table in _REFERENCES
        }
    finally:
        conn.close()
    referenced: set[str] = set()
    for sha256, path, media_type, url in documents:
        expected = archive.relative_path(sha256, media_type)
        if not path:
            findings.append(Finding("no_archive_path", None, f"document {sha256} ({url})"))
        elif path != expected:
            findings.append(Finding("misplaced", path, f"document {sha256} should be {expected}"))
        elif path not in hashes and not (home / path).is_file():
            findings.append(Finding("missing", path, f"archived copy of {url} is gone"))
        referenced.add(expected)
    for table, row in dangling.items():
        count, example = row or (0, None)
        if count:
            detail = f"{count} {table} row(s) name no document, e.g. {example}"
            findings.append(Finding("dangling", None, detail))
    for path in sorted(set(hashes) - referenced):
        findings.append(Finding("orphan", path, "archived but not in the published warehouse"))
    return len(documents), findings


def verify(home: Path) -> Verification:
    """Check the whole archive and the published warehouse's references to it."""
    from warehouse.database import published_path

    hashes, findings = check_archive(home)
    documents = 0
    warehouse = None
    if published_path(home).exists():
        warehouse = str(published_path(home))
        documents, more = check_references(home, hashes)
        findings.extend(more)
    order = {kind: i for i, kind in enumerate(PROBLEMS + NOTES)}
    findings.sort(key=lambda f: (order[f.kind], f.path or "", f.detail))
    return Verification(len(hashes), documents, warehouse, tuple(findings))
