"""Reading references, dates and structure labels: fast, no model."""
from __future__ import annotations

import datetime as dt

import pytest

from assistant.core import clean_text
from assistant.errors import InvalidQuestion
from assistant.references import find_references, is_descendant, point_in_time
from aiact.corpus.structure import split_units


@pytest.mark.parametrize("text,expected", [
    ("What does Art. 5(1)(f) say?", ["Article 5(1)(f)"]),
    ("article 6 (3) and Annex III, point 4(a)", ["Article 6(3)", "Annex III, point 4(a)"]),
    ("see recital 27", ["Recital 27"]),
    ("Annex I, Section A, point 12", ["Annex I, Section A, point 12"]),
    ("Articles 4a and nothing else", ["Article 4a"]),
    ("no reference here", []),
])
def test_find_references(text, expected):
    assert [r.reference for r in find_references(text)] == expected


def test_point_in_time():
    assert point_in_time("What did Article 113 originally say?") == dt.date(2026, 7, 26)
    assert point_in_time("before the Digital Omnibus, when did it apply?") == dt.date(2026, 7, 26)
    assert point_in_time("What applied as of 1 January 2026?") == dt.date(2026, 1, 1)
    assert point_in_time("the law on 2026-03-01") == dt.date(2026, 3, 1)
    assert point_in_time("systems placed on the market before 2 August 2026") is None
    assert point_in_time("When do the prohibitions apply?") is None


def test_is_descendant():
    assert is_descendant("Article 5(1)(f)", "Article 5(1)") and is_descendant("Article 5(1)(f)", "Article 5")
    assert is_descendant("Annex III, point 4(a)", "Annex III")
    assert not is_descendant("Article 50(1)", "Article 5") and not is_descendant("Annex IV", "Annex I")


def test_roman_subpoints_stay_inside_their_point():
    blocks = ["1. The following shall be prohibited:", "(g) point g;", "(h) point h, for:",
              "(i) first objective;", "(ii) second objective;", "Point (h) closing text.",
              "2. Next paragraph:", "(a) a;", "(b) b;"]
    units = {u.labels: u.blocks for u in split_units(blocks)}
    assert units[("1", "h")] == ["(h) point h, for:", "(i) first objective;", "(ii) second objective;"]
    assert units[("1",)] == ["1. The following shall be prohibited:", "…", "Point (h) closing text."]
    assert ("1", "i") not in units and ("2", "b") in units


def test_letter_i_after_h_is_a_point_when_j_follows():
    blocks = ["(h) h;", "(i) i;", "(j) j."]
    assert [u.labels for u in split_units(blocks)] == [("h",), ("i",), ("j",)]


def test_amendment_markers_cover_the_next_unit_or_up_to_the_end_marker():
    blocks = ["[Replaced by Regulation (EU) 2026/1744, Article 1, point (9)(a)]", "1. New text.",
              "2. Old text.", "[Inserted by Regulation (EU) 2026/1744, Article 1, point (7)(a)]",
              "3. Inserted.", "(a) also inserted;", "[End of text amended by Regulation (EU) 2026/1744]",
              "4. Old again.", "5. [Deleted by Regulation (EU) 2026/1744, Article 1, point (9)(b)]"]
    units = {u.labels: u for u in split_units(blocks)}
    assert units[("1",)].amendment == "replaced" and units[("1",)].amended_by.endswith("point (9)(a)")
    assert not units[("2",)].amendment and not units[("4",)].amendment
    assert units[("3",)].amendment == units[("3", "a")].amendment == "inserted"
    assert units[("5",)].amendment == "deleted"


@pytest.mark.parametrize("bad", ["", "  \n ", "\x00\x07", b"\xff\xfe", "???!!!", 42])
def test_unreadable_questions_are_rejected(bad):
    with pytest.raises(InvalidQuestion):
        clean_text(bad, 100)


def test_long_questions_are_truncated_with_a_note():
    text, notes = clean_text("word " * 100, 50)
    assert len(text) <= 50 and notes and "truncated" in notes[0]
