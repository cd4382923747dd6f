"""The General-Purpose AI Code of Practice: objectives, recitals, commitments, measures,
glossary and appendices, cited by their own labels ("Measure 1.1", "Appendix 1.4")."""
from __future__ import annotations

import re
from pathlib import Path

from aiact.corpus.guidelines import Document
from aiact.corpus.markdown import join_blocks, read_sections, split_title
from aiact.corpus.provision import Provision

LETTERED = re.compile(r"^\(([a-z])\)\s")
TERM = re.compile(r"^\*\*(‘[^’]+’)\*\*")
LABELLED = re.compile(r"^(Commitment \d+|Measure \d+\.\d+|Appendix \d+(?:\.\d+)*)$")


def load(corpus_dir: Path, doc: Document) -> list[Provision]:
    out: list[Provision] = []
    for file in doc.files:
        chapter = ""
        for section in read_sections(corpus_dir / file):
            head, title = split_title(section.heading)
            if section.level <= 2:
                chapter = section.heading
            if not section.blocks or section.level == 1:
                continue

            def add(ref: str, blocks: list[str], title: str = title) -> None:
                out.append(Provision(
                    document=doc.name, reference=ref, title=title, text=join_blocks(blocks),
                    url=doc.url, kind=doc.kind, version=doc.version, source=file,
                    path=(chapter,) if chapter != section.heading else (), order=len(out),
                ))

            if LABELLED.match(head):
                add(head, list(section.blocks), title)
            elif head == "Recitals":
                _split(section.blocks, LETTERED, lambda k: f"Recital ({k})", add, "Recitals")
            elif head == "Glossary":
                _split(section.blocks, TERM, lambda k: f"Glossary, {k}", add, "Glossary")
            elif head in ("Objectives",):
                add(head, list(section.blocks), head)
            # the front matter (chairs and vice-chairs) is not a provision
    return out


def _split(blocks, pattern: re.Pattern, ref_of, add, title: str) -> None:
    """One provision per labelled block; an unlabelled block joins the one before it."""
    groups: list[tuple[str, list[str]]] = []
    for block in blocks:
        m = pattern.match(block)
        if m:
            groups.append((ref_of(m.group(1)), [block]))
        elif groups:
            groups[-1][1].append(block)
        else:
            groups.append((title, [block]))
    for ref, group in groups:
        add(ref, group, title)
