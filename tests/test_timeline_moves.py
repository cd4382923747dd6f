"""The moved dates in assistant/data/timeline_moves.toml say only what the text says: each one's
words stand verbatim in its provision, as in force on the day given, and the timeline shows them."""
from __future__ import annotations

import pytest

from assistant.timeline import extract_timeline, load_moves
from aiact.corpus import load_corpus
from aiact.corpus.provision import OMNIBUS_IN_FORCE


@pytest.fixture(scope="module")
def provisions():
    return load_corpus()


def in_force(provisions, reference, day):
    found = [p for p in provisions if p.document == "AI Act" and p.reference == reference and p.in_force_on(day)]
    assert len(found) == 1, f"{reference} on {day}: {len(found)} provisions"
    return " ".join(found[0].text.split())


@pytest.mark.parametrize("move", load_moves(), ids=lambda m: m.reference)
def test_every_word_stands_in_its_provision(move, provisions):
    assert move.on >= OMNIBUS_IN_FORCE > move.was_on
    assert " ".join(move.words.split()) in in_force(provisions, move.reference, move.on)
    assert f"{move.date.day} {move.date:%B %Y}" in move.words
    assert " ".join(move.was_words.split()) in in_force(provisions, move.was_reference, move.was_on)
    assert f"{move.was_date.day} {move.was_date:%B %Y}" in move.was_words
    if move.except_reference:
        assert " ".join(move.except_words.split()) in in_force(provisions, move.except_reference, move.was_on)


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
