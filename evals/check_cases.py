"""Check the gold cases against the index: every gold reference exists (or has an indexed
ancestor), and every fact regex matches the text of the gold provisions (any version, with
their sub-provisions). A case that fails is suspect: the gold or the fact may be wrong.

    python -m aiact.evals.check_cases          # uses AIACT_HOME's index
"""
from __future__ import annotations

import re
import sys

from assistant.references import is_descendant
from aiact.evals.cases import Case, load_cases
from aiact.evals.metrics import nearest_indexed_ancestor


def problems(case: Case, provisions: list) -> list[str]:
    indexed = {(p.document, p.reference) for p in provisions}
    out = []
    texts = []
    for doc, ref in case.gold:
        within = [p for p in provisions if p.document == doc and is_descendant(p.reference, ref)]
        if not within:
            up = nearest_indexed_ancestor((doc, ref), indexed)
            within = [p for p in provisions if up and (p.document, p.reference) == up]
        if not within:
            out.append(f"gold {doc} :: {ref} is not in the index")
        texts += [" ".join(p.text.split()) for p in within]
    if case.gold:
        # A fact may also name the controlling provision itself ("Article 50", "Annex III").
        joined = "\n".join(texts + [ref for _, ref in case.gold])
        out += [f"fact {f!r} is not in the gold provisions' text" for f in case.facts
                if not re.search(f, joined, re.I)]
    return out


def main() -> int:
    from assistant import Assistant

    provisions = list(Assistant(progress=False).store.provisions.values())
    bad = 0
    for case in load_cases("all"):
        for problem in problems(case, provisions):
            bad += 1
            print(f"{case.id} ({case.split}): {problem}")
    print(f"{bad} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
