"""The law data says only what the text says: every fact checked against the real corpus."""
import datetime as dt

import pytest

from assistant.law import load_law
from assistant.law.model import Fact, Law, Source
from assistant.law.verify import verify
from aiact.corpus import load_corpus


@pytest.fixture(scope="module")
def provisions():
    return load_corpus()


def test_every_fact_stands_in_its_provisions(provisions):
    law = load_law()
    assert len(law.facts) >= 10
    assert verify(law, provisions, today=dt.date(2026, 12, 2)) == []


def test_the_verifier_catches_what_the_text_does_not_say(provisions):
    wrong_words = Fact("dates", "x", (Source("Article 113(a)", ("shall apply from 2 March 2025",)),),
                       (("date", dt.date(2025, 3, 2)),))
    missing = Fact("dates", "y", (Source("Article 999", ("anything",)),))
    unbacked = Fact("penalties", "z", (Source("Article 99(3)", ("EUR 35 000 000",)),),
                    (("amount_eur", 35000000), ("percent", 9), ("date", dt.date(2025, 2, 2)),
                     ("note", "see also Article 101(1)")))
    old_wording = Fact("dates", "w", (Source("Article 113(a)", ("points (ba) and (bb)",)),),
                       valid_to=dt.date(2026, 7, 27))
    problems = verify(Law((wrong_words, missing, unbacked, old_wording)), provisions)
    text = "\n".join(problems)
    assert "does not say 'shall apply from 2 March 2025'" in text
    assert "Article 999 is not in the corpus" in text
    assert "percent = 9" in text
    assert "date = datetime.date(2025, 2, 2)" in text
    assert "states 'Article 101(1)'" in text
    assert "(in force 2026-07-26) does not say 'points (ba) and (bb)'" in text


def test_dates_by_period():
    law = load_law()
    assert law.get("dates", "high-risk-annex-i", on=dt.date(2026, 12, 2)).date == dt.date(2028, 8, 2)
    assert law.get("dates", "high-risk-annex-i", on=dt.date(2026, 1, 1)).date == dt.date(2027, 8, 2)
    with pytest.raises(KeyError):
        law.get("dates", "new-prohibitions", on=dt.date(2026, 1, 1))
