"""The AI Act in two versions: as published in 2024 and as consolidated after the Digital Omnibus.

The consolidated text is the current wording of every article and annex. A provision whose
wording the Omnibus changed exists twice: the 2024 wording, in force until 26 July 2026, and the
current wording, in force from 27 July 2026. Unchanged provisions exist once, in force throughout.
Recitals come from the 2024 text (consolidated texts have none).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aiact.corpus.markdown import GAP, Section, join_blocks, normalise, read_sections, split_title
from aiact.corpus.provision import ACT_IN_FORCE, BINDING, OMNIBUS, OMNIBUS_IN_FORCE, Provision
from aiact.corpus.structure import split_units

DOCUMENT = "AI Act"
ORIGINAL_FILE = "eu-ai-act/regulation-eu-2024-1689-ai-act.md"
CONSOLIDATED_FILE = "eu-ai-act/regulation-eu-2024-1689-consolidated-2026-07-27.md"
OJ_URL = "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
CONSOLIDATED_URL = "https://eur-lex.europa.eu/eli/reg/2024/1689/2026-07-27"
VERSION_ORIGINAL = "2024/1689 as published (OJ 12.7.2024)"
VERSION_CURRENT = "consolidated text in force from 27.7.2026"

ARTICLE = re.compile(r"^Article (\d+[a-z]?)$")
RECITAL = re.compile(r"^Recital (\d+)$")
ANNEX = re.compile(r"^Annex ([IVXL]+)$")
CHAPTER = re.compile(r"^CHAPTER ")
SUBSECTION = re.compile(r"^(Section [A-Z0-9]+)\b|^(\d+)\.\s|^([a-z])\.\s")


@dataclass(frozen=True)
class _Piece:
    reference: str
    title: str
    text: str
    path: tuple[str, ...]
    anchor: str
    amendment: str
    amended_by: str
    order: int


def article_reference(number: str, labels: tuple[str, ...]) -> str:
    return f"Article {number}" + "".join(f"({x})" for x in labels)


def annex_reference(number: str, section: str, labels: tuple[str, ...]) -> str:
    ref = f"Annex {number}" + (f", {section}" if section else "")
    if labels:
        ref += f", point {labels[0]}" + "".join(f"({x})" for x in labels[1:])
    return ref


def _pieces(path: Path) -> list[_Piece]:
    sections = read_sections(path)
    out: list[_Piece] = []
    chapter: tuple[str, ...] = ()
    annex: tuple[str, str] | None = None  # (number, title) of the annex being read
    for section in sections:
        head, title = split_title(section.heading)
        if section.level == 1:
            annex = None
            if CHAPTER.match(section.heading):
                chapter = (section.heading,) if ", SECTION" not in head else (chapter[:1] + (section.heading,))
            elif section.heading == "ANNEXES":
                chapter = ("ANNEXES",)
            continue
        if section.level == 2:
            annex = None
        m = RECITAL.match(head)
        if m and section.level == 2:
            out.append(_piece(f"Recital {m.group(1)}", "", section.blocks, (), f"rct_{m.group(1)}", len(out)))
            continue
        m = ARTICLE.match(head)
        if m and section.level == 2:
            n = m.group(1)
            for unit in split_units(list(section.blocks)):
                out.append(_piece(article_reference(n, unit.labels), title, unit.blocks, chapter,
                                  f"art_{n}", len(out), unit.amendment, unit.amended_by))
            continue
        m = ANNEX.match(head)
        if m and section.level == 2:
            annex = (m.group(1), title)
            _add_annex(out, annex, "", section, chapter)
            continue
        if annex and section.level >= 3:
            sub = SUBSECTION.match(section.heading)
            if sub and sub.group(1):
                part = sub.group(1)
            elif sub:
                part = f"point {sub.group(2) or sub.group(3)}"
            else:
                part = section.heading
            _add_annex(out, annex, part, section, chapter)
    return out


def _add_annex(out: list[_Piece], annex: tuple[str, str], part: str, section: Section,
               chapter: tuple[str, ...]) -> None:
    number, title = annex
    sub_title = split_title(section.heading)[1] or section.heading if part else ""
    for unit in split_units(list(section.blocks), annex=True):
        if part.startswith("point "):
            ref = f"Annex {number}, {part}" + "".join(f"({x})" for x in unit.labels)
        else:
            ref = annex_reference(number, part, unit.labels)
        full_title = title + (f" — {sub_title}" if sub_title and sub_title != title else "")
        out.append(_piece(ref, full_title, unit.blocks, chapter, f"anx_{number}", len(out),
                          unit.amendment, unit.amended_by))


def _piece(reference: str, title: str, blocks, path, anchor, order, amendment="", amended_by="") -> _Piece:
    return _Piece(reference, title, join_blocks(blocks), tuple(path), anchor, amendment, amended_by, order)


def _merge_duplicates(pieces: list[_Piece]) -> dict[str, _Piece]:
    """Key pieces by reference; a reference seen twice (rare layout quirks) keeps both texts."""
    merged: dict[str, _Piece] = {}
    for p in pieces:
        if p.reference in merged:
            q = merged[p.reference]
            merged[p.reference] = _Piece(q.reference, q.title, join_blocks([q.text, GAP, p.text]), q.path, q.anchor,
                                         q.amendment or p.amendment, q.amended_by or p.amended_by, q.order)
        else:
            merged[p.reference] = p
    return merged


def load(corpus_dir: Path) -> list[Provision]:
    original = _merge_duplicates(_pieces(corpus_dir / ORIGINAL_FILE))
    current = _merge_duplicates(_pieces(corpus_dir / CONSOLIDATED_FILE))
    provisions: list[Provision] = []

    def make(p: _Piece, source: str, version: str, url: str, valid_from, valid_to, amendment="",
             amended_by="") -> Provision:
        return Provision(
            document=DOCUMENT, reference=p.reference, title=p.title, text=p.text,
            url=f"{url}#{p.anchor}", kind=BINDING, version=version, source=source, path=p.path,
            valid_from=valid_from, valid_to=valid_to, amendment=amendment, amended_by=amended_by,
            order=p.order,
        )

    for ref, p in original.items():
        if ref.startswith("Recital"):
            provisions.append(make(p, ORIGINAL_FILE, VERSION_ORIGINAL, OJ_URL, None, None))
    for ref, p in current.items():
        old = original.get(ref)
        if old is not None and normalise(old.text) == normalise(p.text):
            provisions.append(make(p, CONSOLIDATED_FILE, VERSION_CURRENT, OJ_URL, ACT_IN_FORCE, None))
            continue
        amended_by = p.amended_by or OMNIBUS
        amendment = p.amendment or ("inserted" if old is None else "replaced")
        provisions.append(make(p, CONSOLIDATED_FILE, VERSION_CURRENT, CONSOLIDATED_URL, OMNIBUS_IN_FORCE,
                               None, amendment, amended_by))
        if old is not None:
            provisions.append(make(old, ORIGINAL_FILE, VERSION_ORIGINAL, OJ_URL, ACT_IN_FORCE,
                                   OMNIBUS_IN_FORCE, amendment, amended_by))
    for ref, p in original.items():
        if not ref.startswith("Recital") and ref not in current:
            # Wording that no longer stands as its own unit in the consolidated text.
            provisions.append(make(p, ORIGINAL_FILE, VERSION_ORIGINAL, OJ_URL, ACT_IN_FORCE,
                                   OMNIBUS_IN_FORCE, "replaced", OMNIBUS))
    return provisions
