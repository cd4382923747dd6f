"""The Digital Omnibus, Regulation (EU) 2026/1744: its recitals and its amending points."""
from __future__ import annotations

import re
from pathlib import Path

from aiact.corpus.markdown import join_blocks, read_sections, split_title
from aiact.corpus.provision import AMENDING, OMNIBUS_IN_FORCE, Provision

DOCUMENT = "Digital Omnibus (Regulation (EU) 2026/1744)"
FILE = "eu-ai-act/regulation-eu-2026-1744-digital-omnibus.md"
URL = "https://eur-lex.europa.eu/eli/reg/2026/1744/oj"
VERSION = "OJ L, 2026/1744, 24.7.2026"

RECITAL = re.compile(r"^Recital (\d+)$")
ARTICLE = re.compile(r"^Article (\d+)$")
POINT = re.compile(r"^Article (\d+), point \((\d+)\)$")


def load(corpus_dir: Path) -> list[Provision]:
    out: list[Provision] = []
    article_titles: dict[str, str] = {}
    for section in read_sections(corpus_dir / FILE):
        head, title = split_title(section.heading)
        if not section.blocks:
            continue
        if m := RECITAL.match(head):
            ref, anchor, path = head, f"rct_{m.group(1)}", ()
        elif m := POINT.match(head):
            ref, anchor = head, f"art_{m.group(1)}"
            title = article_titles.get(m.group(1), "")
            path = (f"Article {m.group(1)}",)
        elif m := ARTICLE.match(head):
            article_titles[m.group(1)] = title
            ref, anchor, path = head, f"art_{m.group(1)}", ()
        else:
            continue  # citations, signature: not provisions
        out.append(Provision(
            document=DOCUMENT, reference=ref, title=title, text=join_blocks(section.blocks),
            url=f"{URL}#{anchor}", kind=AMENDING, version=VERSION, source=FILE, path=path,
            valid_from=OMNIBUS_IN_FORCE, order=len(out),
        ))
    return out
