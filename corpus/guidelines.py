"""Documents numbered by paragraph, "(1)", "(2)", …: the Commission guidelines.

A provision is one numbered paragraph with the unnumbered blocks that follow it (examples,
bullet lists, tables); text under a heading before its first numbered paragraph is cited by the
heading. The same reader serves any new Markdown document of that shape.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aiact.corpus.markdown import join_blocks, read_sections
from aiact.corpus.provision import GUIDELINES, Provision

PARAGRAPH = re.compile(r"^\((\d+)\)\s+(?:\((\d+)\)\s+)?\S")
SECTION_NUMBER = re.compile(r"^((?:[IVX]+|\d+(?:\.\d+)*)\.?)\s")
PLACEHOLDER = re.compile(r"^\[see separated chap", re.I)


@dataclass(frozen=True)
class Document:
    """A source document: its stable short name and where it comes from."""

    name: str
    files: tuple[str, ...]
    url: str
    kind: str = GUIDELINES
    version: str = ""


def section_label(heading: str) -> str:
    m = SECTION_NUMBER.match(heading)
    return f"Section {m.group(1).rstrip('.')}" if m else heading


def load(corpus_dir: Path, doc: Document) -> list[Provision]:
    out: list[Provision] = []
    for file in doc.files:
        last, first_in_file = 0, True
        path: list[tuple[int, str]] = []
        for section in read_sections(corpus_dir / file):
            if section.level == 1:
                continue  # the document title
            path = [p for p in path if p[0] < section.level] + [(section.level, section.heading)]
            heading_path = tuple(h for _, h in path)
            current: list[str] = []
            number: int | None = None

            def flush() -> None:
                text = join_blocks(current).strip()
                if not text or PLACEHOLDER.match(text):
                    return
                if number is None and len(text) < 40:
                    return  # a stray caption, not a passage worth citing
                ref = f"para. {number}" if number is not None else section_label(section.heading)
                out.append(Provision(
                    document=doc.name, reference=ref, title=section.heading, text=text,
                    url=doc.url, kind=doc.kind, version=doc.version, source=file,
                    path=heading_path, order=len(out),
                ))

            for block in section.blocks:
                m = PARAGRAPH.match(block)
                # Damaged extractions print two labels ("(3) (4) …"): the first one printed is kept.
                n = int(m.group(1)) if m else 0
                # Numbered paragraphs run in sequence ("(1)" inside a list is not a new paragraph);
                # a document split over files may jump ahead at a file's first paragraph or at the
                # start of a section.
                if m and last < n and (n <= last + 3 or first_in_file or number is None and not current):
                    first_in_file = False
                    flush()
                    current, number, last = [block], n, n
                else:
                    current.append(block)
            flush()
    return _unique(out)


def _unique(provisions: list[Provision]) -> list[Provision]:
    """Unnumbered text under two headings of the same number would share a reference."""
    seen: dict[str, int] = {}
    out = []
    for p in provisions:
        n = seen.get(p.reference, 0)
        seen[p.reference] = n + 1
        if n:
            p = Provision(**{**p.__dict__, "reference": f"{p.reference} ({n + 1})"})
        out.append(p)
    return out
