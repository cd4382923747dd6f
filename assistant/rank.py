"""Rank candidate provisions by named features with weights fitted on the dev cases.

Each candidate a retriever finds (dense, BM25, a named reference, a definition, a cross-reference
hop, an application date) is described by the same features; a logistic model fitted by
``python -m aiact.evals.fit_ranker`` on the dev split turns them into the probability that the
candidate is a passage a lawyer would cite. The weights are data (``assistant/ranker.json``), so a
refit changes no code, and every citation can show the features it ranked by.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WEIGHTS_FILE = Path(__file__).with_name("ranker.json")

# Name → what it measures. Values are in [0, 1] (flags are 0/1) so the weights compare.
FEATURES: dict[str, str] = {
    "dense": "best cosine similarity of one of its nodes to the question",
    "dense_relative": "how close its similarity is to the best candidate's (1 = the best)",
    "fused": "reciprocal-rank fusion of the dense and BM25 lists, weighted by kind, relative to the best",
    "dense_rank": "1/(1+rank) in the dense list (0 if not in it)",
    "bm25_rank": "1/(1+rank) in the BM25 list (0 if not in it)",
    "text_overlap": "share of the question's content words in its text",
    "sentence_overlap": "share of the question's content words in its best sentence",
    "title_overlap": "share of the question's content words in its title and headings",
    "neighbour_margin": "how much closer it is to the question than its nearest sibling (0.5 = equal)",
    "named_subject": "it is a provision the question names as its subject",
    "named_qualifier": "it is a provision the question names as a qualifier ('listed in Annex III')",
    "named_within": "it lies within a named provision (a paragraph or point of it)",
    "named_parent": "a named provision lies within it",
    "mentions_named": "its text refers to a named provision",
    "named_about": "named (or within one named), and the question asks what that provision says",
    "named_whole_article": "within a whole article the question names (one of its many paragraphs)",
    "named_label": "it carries a guideline or code label the question names ('para. 40')",
    "definition": "the Article 3 definition of the term the question asks about",
    "defines_term": "an Article 3 definition whose term occurs in the question",
    "date_for_when": "states a date, for a question about when",
    "amount_for_fine": "states an amount, for a question about fines",
    "duration_for_how_long": "states a period ('10 years', '15 days'), for a question about how long",
    "rationale_for_why": "a guideline passage headed as the reasons ('Rationale and objectives'), for a question why",
    "when_without_date": "states no date, for a question about when",
    "fine_without_amount": "states no amount, for a question about fines",
    "application_date": "sets the date of application of the best passages' chapter",
    "cross_reference": "a top passage refers to it (reached by that hop, or a guideline quoting the rule it explains)",
    "binding": "binding law (the AI Act)",
    "amending": "the amending act",
    "soft_law": "guidelines or the code of practice",
    "asked_kind": "the kind of source the question asks for",
    "recital": "a recital",
    "list_head": "introduces a list ('… the following:')",
}
NAMES = tuple(FEATURES)


@dataclass(frozen=True)
class Ranker:
    weights: tuple[float, ...]
    intercept: float
    meta: dict

    def score(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(w * features.get(n, 0.0) for n, w in zip(NAMES, self.weights))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def contributions(self, features: dict[str, float]) -> dict[str, float]:
        """Each non-zero feature's value and its share of the score, for a citation's 'why'."""
        return {n: round(features[n], 3) for n in NAMES if features.get(n)}

    def reasons(self, features: dict[str, float], top: int = 4) -> list[tuple[str, str, float]]:
        """What raised (and most lowered) a passage's score: (feature, what it measures, weight ×
        value), largest effect first — a source card's 'why it ranked'."""
        effects = [(n, w * float(features.get(n, 0.0))) for n, w in zip(NAMES, self.weights)]
        effects = [(n, e) for n, e in effects if abs(e) >= 0.05]
        up = sorted((x for x in effects if x[1] > 0), key=lambda x: -x[1])[:top]
        down = sorted((x for x in effects if x[1] < 0), key=lambda x: x[1])[:1]
        return [(n, FEATURES[n], round(e, 2)) for n, e in up + down]


def default_weights() -> dict:
    """Used only before a fit exists: the named reference, the definition and the fused lists."""
    w = {n: 0.0 for n in NAMES}
    w.update(dense=4.0, dense_rank=2.0, bm25_rank=2.0, named_subject=5.0, named_within=2.0,
             definition=6.0, sentence_overlap=1.0, binding=0.5)
    return {"features": list(NAMES), "weights": [w[n] for n in NAMES], "intercept": -4.0, "meta": {"fitted": False}}


@lru_cache(maxsize=4)
def load_ranker(path: str = str(WEIGHTS_FILE)) -> Ranker:
    p = Path(path)
    data = json.loads(p.read_text(encoding="utf-8")) if p.is_file() else default_weights()
    by_name = dict(zip(data["features"], data["weights"]))
    unknown = set(by_name) - set(NAMES)
    if unknown:
        raise ValueError(f"{p.name} has weights for unknown features {sorted(unknown)} — "
                         "refit with 'python -m aiact.evals.fit_ranker'")
    return Ranker(tuple(float(by_name.get(n, 0.0)) for n in NAMES), float(data["intercept"]), data.get("meta", {}))


def vector(features: dict[str, float]) -> list[float]:
    return [float(features.get(n, 0.0)) for n in NAMES]


def with_features(answer, retrieval):
    """Each citation carries the features its provision ranked by (empty for one the answer
    added itself, e.g. a point listed under its chapeau)."""
    import dataclasses

    by_id = {(s.provision.document, s.provision.reference): s.features for s in retrieval.results}
    if not by_id or not answer.citations:
        return answer
    cited = tuple(dataclasses.replace(c, features=dict(by_id.get((c.document, c.reference), {})))
                  for c in answer.citations)
    return dataclasses.replace(answer, citations=cited)
