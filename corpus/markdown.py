"""Reading the corpus Markdown: headings and the blank-line separated blocks under them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
FOOTNOTE_DEF = re.compile(r"^\[\^[^\]]+\]:")
COMMENT = re.compile(r"<!--.*?-->", re.S)
GAP = "…"  # stands between two pieces of a provision that are not adjacent in the source


def join_blocks(blocks) -> str:
    """A provision's text from its blocks: gaps inside are kept once, gaps at the edges dropped."""
    out: list[str] = []
    for b in blocks:
        if b == GAP and (not out or out[-1] == GAP):
            continue
        out.append(b)
    while out and out[-1] == GAP:
        out.pop()
    return "\n\n".join(out)


@dataclass(frozen=True)
class Section:
    """A heading and the blocks of body text up to the next heading."""

    level: int
    heading: str
    blocks: tuple[str, ...]
    line: int


def read_sections(path: Path) -> list[Section]:
    """Split a file into sections; footnote definitions and HTML comments are not body text."""
    text = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
    sections: list[Section] = []
    level, heading, start, current, block = 0, "", 0, [], []

    def flush_block() -> None:
        if block:
            joined = "\n".join(block).strip()
            if joined and FOOTNOTE_DEF.match(joined):
                if current and current[-1] != GAP:
                    current.append(GAP)  # footnotes are left out, so what follows is not adjacent
            elif joined:
                current.append(joined)
            block.clear()

    for i, line in enumerate(text.splitlines()):
        m = HEADING.match(line)
        if m:
            flush_block()
            sections.append(Section(level, heading, tuple(current), start))
            level, heading, start, current = len(m.group(1)), m.group(2), i + 1, []
        elif line.strip():
            block.append(line.rstrip())
        else:
            flush_block()
    flush_block()
    sections.append(Section(level, heading, tuple(current), start))
    return [Section(s.level, s.heading, tuple(_trim(s.blocks)), s.line)
            for s in sections if s.heading or s.blocks]


def _trim(blocks) -> list[str]:
    out = list(blocks)
    while out and out[-1] == GAP:
        out.pop()
    while out and out[0] == GAP:
        out.pop(0)
    return out


def split_title(heading: str) -> tuple[str, str]:
    """'Article 6 — Classification rules' -> ('Article 6', 'Classification rules')."""
    head, sep, title = heading.partition(" — ")
    return (head.strip(), title.strip()) if sep else (heading.strip(), "")


def normalise(text: str) -> str:
    """Whitespace-folded text, the form in which quotes are compared with their source."""
    return " ".join(text.split())
