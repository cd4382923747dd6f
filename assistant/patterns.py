"""The law data's regular expressions, each compiled once per process.

Why: the data files hold about a thousand patterns (the procedure's cues, the facts' terms,
requirements and claims), more than the 512 compiled patterns ``re`` keeps in its own cache. Passed
to ``re.search`` as strings they pushed each other out of that cache, so every answer compiled a
few dozen of them again (measured: ~18 compilations, several ms, per answer of ``make bench``).
A pattern the opened build stored (``aiact.index.compiled``: the build compiles the law data's
patterns once) is rebuilt from its stored program instead of being parsed again: the same object.
"""
from __future__ import annotations

import functools
import re

from aiact.index.compiled import known


@functools.lru_cache(maxsize=8192)  # bounded all the same; the data needs about 1,200
def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, kept: an object equal to what ``re.search(pattern, …, flags)`` uses."""
    return known(pattern, flags) or re.compile(pattern, flags)
