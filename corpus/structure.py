"""Split the body of an article or annex into its numbered paragraphs, points and sub-points.

The legal texts mark structure only by the label that starts a block ("2.", "(a)", "(ii)"), so the
labels are read in sequence: "(i)" after "(h)" is point (i) when "(j)" follows and sub-point (i)
when "(ii)" follows. Text after the last point of a paragraph (a closing subparagraph) belongs to
the paragraph; text between two points belongs to the point before it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from aiact.corpus.markdown import GAP

PARAGRAPH = re.compile(r"^(\d+[a-z]?)\.\s+\S")
ANNEX_POINT = re.compile(r"^(\d+(?:\.\d+)*)\.\s+\S")
POINT = re.compile(r"^\(([a-z]{1,3}|\d+[a-z]?)\)\s+\S")
MARKER = re.compile(
    r"^\[(Replaced|Inserted|Deleted|Heading: Replaced) by (Regulation \(EU\) 2026/1744[^\]]*)\]$"
)
END_MARKER = re.compile(r"^\[End of text amended by Regulation \(EU\) 2026/1744\]$")
DELETED_INLINE = re.compile(r"\[Deleted by (Regulation \(EU\) 2026/1744[^\]]*)\]")
ROMANS = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]


@dataclass
class Unit:
    """One citable piece: its label path (e.g. ('1', 'h')), its blocks, its amendment note."""

    labels: tuple[str, ...]
    blocks: list[str] = field(default_factory=list)
    amendment: str = ""
    amended_by: str = ""
    last: int = -2  # position in the source of the last block added

    def add(self, block: str, note: tuple[str, str] | None, position: int) -> None:
        # A block that does not follow the previous one in the source (a closing subparagraph
        # after the points, text after an amendment marker) is marked as a gap, so the quote
        # stays verbatim piece by piece.
        if self.blocks and position != self.last + 1:
            self.blocks.append(GAP)
        self.blocks.append(block)
        self.last = position
        if note and not self.amendment:
            self.amendment, self.amended_by = note


def _next_letter(label: str) -> str:
    return label[:-1] + chr(ord(label[-1]) + 1)


def _label(block: str, annex: bool) -> tuple[str, str] | None:
    """('para', '2') / ('point', 'a') / None for plain text."""
    m = (ANNEX_POINT if annex else PARAGRAPH).match(block)
    if m:
        return "para", m.group(1)
    m = POINT.match(block)
    if m:
        return "point", m.group(1)
    return None


def _amendment_notes(blocks: list[str], annex: bool) -> list[tuple[str, str] | None]:
    """For each block, the amendment marker that covers it (kind, amending point) or None.

    A marker closed by an end marker covers everything up to it; otherwise it covers the next unit
    (with its points) and stops at the next unit of the same or a higher level.
    """
    notes: list[tuple[str, str] | None] = [None] * len(blocks)
    i = 0
    while i < len(blocks):
        m = MARKER.match(blocks[i])
        if not m:
            d = DELETED_INLINE.search(blocks[i])
            if d:
                notes[i] = ("deleted", d.group(1))
            i += 1
            continue
        kind = {"Replaced": "replaced", "Inserted": "inserted", "Deleted": "deleted"}.get(m.group(1))
        note = (kind, m.group(2)) if kind else None
        end = None
        for j in range(i + 1, len(blocks)):
            if END_MARKER.match(blocks[j]):
                end = j
                break
            if MARKER.match(blocks[j]):
                break
        if end is not None:
            for j in range(i + 1, end):
                notes[j] = note
            i = end + 1
            continue
        first = _label(blocks[i + 1], annex) if i + 1 < len(blocks) else None
        j = i + 1
        while j < len(blocks):
            if MARKER.match(blocks[j]) or END_MARKER.match(blocks[j]):
                break
            lab = _label(blocks[j], annex)
            if j > i + 1 and lab and (first is None or lab[0] == "para" or lab[0] == first[0]):
                break
            notes[j] = note
            j += 1
        i = j
    return notes


def split_units(blocks: list[str], annex: bool = False) -> list[Unit]:
    """Units in source order. The first unit (labels ()) holds text before any label."""
    notes = _amendment_notes(blocks, annex)
    body = [(b, n, i) for i, (b, n) in enumerate(zip(blocks, notes))
            if not MARKER.match(b) and not END_MARKER.match(b)]
    labels = [_label(b, annex) for b, _, _ in body]
    units: list[Unit] = [Unit(())]
    para: Unit | None = None
    point: Unit | None = None
    letter: str | None = None
    for k, ((block, note, pos), lab) in enumerate(zip(body, labels)):
        if lab and lab[0] == "para":
            para = Unit((lab[1],))
            units.append(para)
            point, letter = None, None
            para.add(block, note, pos)
            continue
        if lab and lab[0] == "point":
            label = lab[1]
            if point is not None and _is_subpoint(label, letter, labels[k + 1 :]):
                point.add(block, note, pos)
                continue
            parent = para.labels if para else ()
            point = Unit(parent + (label,))
            units.append(point)
            letter = label
            point.add(block, note, pos)
            continue
        # Plain text: inside a list it continues the point; after the list it closes the paragraph.
        more_points = any(
            x and x[0] == "point" for x in _until_next_para(labels[k + 1 :])
        )
        if point is not None and more_points:
            point.add(block, note, pos)
        else:
            (para or units[0]).add(block, note, pos)
    return [u for u in units if u.blocks]


def _until_next_para(labels: list) -> list:
    out = []
    for x in labels:
        if x and x[0] == "para":
            break
        out.append(x)
    return out


def _is_subpoint(label: str, letter: str | None, following: list) -> bool:
    """Is '(label)' a roman sub-point of the current point rather than the next point?"""
    if letter is None or label[0].isdigit():
        return False
    if letter[0].isdigit():  # letters inside an Article 3 definition
        return True
    if label not in ROMANS:
        return False
    if letter.isalpha() and label == _next_letter(letter):
        nxt = next((x for x in following if x and x[0] == "point"), None)
        successor = ROMANS[ROMANS.index(label) + 1] if ROMANS.index(label) + 1 < len(ROMANS) else None
        return nxt is not None and nxt[1] == successor
    return True
