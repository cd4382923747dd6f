"""The Act's logic as reviewed data: dates, amounts, obligations, the status of soft law.

Each fact lives in a TOML file under ``data/`` next to the provision that states it and the exact
words that carry it; ``aiact.law.verify`` (run by ``tests/test_law.py``) checks every one of those
words against the corpus, so nothing here can say what the text does not.

    from assistant.law import load_law
    law = load_law()
    law.get("dates", "prohibitions").date      # datetime.date(2025, 2, 2)
"""
from assistant.law.model import Fact, Law, Source, load_law

__all__ = ["Fact", "Law", "Source", "load_law"]
