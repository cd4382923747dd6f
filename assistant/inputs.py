"""The API's arguments checked once, at the door: a wrong type or value becomes one
``InvalidArgument`` that says what to pass instead, never a TypeError from deep inside."""
from __future__ import annotations

import datetime as dt
import re

from assistant.errors import InvalidArgument
from assistant.references import MONTHS, POINT_IN_TIME
from assistant.types import Answer
from aiact.corpus.provision import ACT_IN_FORCE

# Operators in the AI Act's sense (Article 3(8)); "not sure" and "" mean unknown.
ROLES = ("provider", "deployer", "importer", "distributor", "authorised representative",
         "product manufacturer")
UNKNOWN_ROLES = ("", "not sure", "unknown", "none")
DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})")


def as_date(value, what: str = "as_of") -> dt.date | None:
    """A ``datetime.date``, a ``datetime`` (its date) or an ISO string 'YYYY-MM-DD'; None stays None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text[:10] if re.match(r"^\d{4}-\d\d-\d\dT", text) else text)
        except ValueError:
            raise InvalidArgument(f"{what}={value!r} is not a date: pass a datetime.date or 'YYYY-MM-DD', "
                                  "e.g. as_of='2026-01-01'.") from None
    raise InvalidArgument(f"{what} must be a datetime.date or a 'YYYY-MM-DD' string, not "
                          f"{type(value).__name__}; e.g. as_of=datetime.date(2026, 1, 1).")


def as_role(role) -> str | None:
    if role is None:
        return None
    if not isinstance(role, str):
        raise InvalidArgument(f"role must be text ({', '.join(ROLES)}) or None, not {type(role).__name__}.")
    text = " ".join(role.lower().replace("_", " ").split())
    if text in UNKNOWN_ROLES:
        return None
    if text not in ROLES:
        raise InvalidArgument(f"role={role!r} is not a role the AI Act knows: use one of {', '.join(ROLES)}, "
                              "or None if you are not sure.")
    return text


def as_reference(reference, what: str = "reference") -> str:
    if not isinstance(reference, str) or not reference.strip():
        raise InvalidArgument(f"The {what} must be text like 'Article 50(2)', 'Annex III' or 'Recital 27'"
                              f"{'' if isinstance(reference, str) else f', not {type(reference).__name__}'}.")
    return reference


def impossible_date(question: str) -> str | None:
    """'as of 31 February 2026' names no day: the text of that date, so the answer can say so."""
    m = POINT_IN_TIME.search(question)
    if not m:
        return None
    words = DAY_MONTH_YEAR.match(m.group(1))
    try:
        if words:
            month = MONTHS.get(words.group(2).lower())
            if month is None:
                return m.group(1)
            dt.date(int(words.group(3)), month, int(words.group(1)))
        else:
            dt.date.fromisoformat(m.group(1))
    except ValueError:
        return m.group(1)
    return None


def before_the_act(question: str, day: dt.date) -> Answer:
    return Answer(question, f"The AI Act did not exist on {day:%-d %B %Y}: it entered into force on "
                  f"{ACT_IN_FORCE:%-d %B %Y}, so no provision of it applied then. Ask about a date from "
                  f"{ACT_IN_FORCE:%-d %B %Y} on, e.g. --as-of {ACT_IN_FORCE.isoformat()}.", True, (),
                  day.isoformat())


def not_a_day(question: str, written: str, today: dt.date) -> Answer:
    return Answer(question, f"“{written}” is not a date in the calendar, so I cannot read the law as it stood "
                  "then. Check the day and month (e.g. “as of 28 February 2026”) and ask again.", True, (),
                  today.isoformat())
