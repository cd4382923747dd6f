"""How the Act writes dates, amounts and the facts a sentence states: shared by the answers
(which write them) and ``verify`` (which checks the data's words against the corpus)."""
from __future__ import annotations

import datetime as dt
import re

MONTHS = ("January February March April May June July August September October November "
          "December").split()
STATED = re.compile(
    r"\b\d{1,2} (?:%s) \d{4}\b|EUR \d{1,3}(?: \d{3})+|\b\d+(?:[.,]\d+)? ?%%|"
    r"\b(?:Article|Annex|Recital) [0-9IVX]+[a-z]?(?:\(\w+\))*" % "|".join(MONTHS))


def fold(text: str) -> str:
    """White space as one plain space: the corpus wraps lines, data files don't."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def amount(value: int) -> str:
    return "EUR " + f"{value:,}".replace(",", " ")
