"""The dates the Omnibus moved (law data facts with a ``superseded_date``, verified against the
text by tests/test_law.py) show in the timeline as old -> new."""
from __future__ import annotations

import pytest

from assistant.timeline import extract_timeline, load_moves
from aiact.corpus import load_corpus
from aiact.corpus.provision import OMNIBUS_IN_FORCE


@pytest.fixture(scope="module")
def provisions():
    return load_corpus()


def test_moves_come_from_the_law_data():
    moves = {(m.reference, m.date.isoformat()): m for m in load_moves()}
    assert moves[("Article 113(c)", "2027-12-02")].was_date.isoformat() == "2026-08-02"
    assert moves[("Article 113(c)", "2027-12-02")].was_words == "It shall apply from 2 August 2026."


def test_the_timeline_shows_annex_iii_as_moved(provisions):
    import datetime as dt

    old = {(p.document, p.reference): p for p in provisions if p.valid_to == OMNIBUS_IN_FORCE}
    earlier = {p.id: old[(p.document, p.reference)] for p in provisions
               if p.valid_to is None and p.amendment and (p.document, p.reference) in old}
    entries = extract_timeline(provisions, earlier, dt.date(2026, 11, 24))
    annex_iii = [e for e in entries if e.date == dt.date(2027, 12, 2) and e.reference == "Article 113(c)"]
    assert len(annex_iii) == 1 and annex_iii[0].superseded_date == dt.date(2026, 8, 2)
    annex_i = [e for e in entries if e.date == dt.date(2028, 8, 2) and e.reference == "Article 113(c)"]
    assert annex_i and annex_i[0].superseded_date == dt.date(2027, 8, 2)  # found from the text itself
