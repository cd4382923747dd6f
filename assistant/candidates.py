"""The candidate passages for a question and their features (see assistant/rank.py).

Every source of candidates — dense and BM25 lists, references the question names, the Article 3
definition it asks about, dates and cross-references — adds provisions to one pool; each is then
described by the same features, including a second look among its neighbours (is this paragraph
closer to the question than the one before or after it?) and at its best sentence.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np

from assistant import retrieve as R
from assistant.references import DATE, find_other_references, find_references, is_descendant
from aiact.corpus.provision import BINDING, CODE, GUIDELINES, Provision
from aiact.index.chunk import split_sentences
from aiact.index.stems import known_sentences, split_rule
from assistant.plan import CODE_STATUS, SME, SMC

# A reference named as a qualifier of something else, not as what the question is about.
QUALIFIER = re.compile(r"(?:referred to in|listed in|pursuant to|in accordance with|set out in|"
                       r"as defined in|within the meaning of|covered by|classified under)\s*$", re.I)
# "How long must … be kept?", "within how many days?": answered by a period, which is not a date.
HOW_LONG_Q = re.compile(r"\bhow (?:long|many (?:years|months|weeks|days|hours)|quickly|soon|fast)\b|"
                        r"\bwithin how\b|\bfor how long\b", re.I)
DURATION = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|ten|twelve|fifteen|thirty)\s+"
                      r"(?:calendar\s+|working\s+)?(?:years?|months?|weeks?|days?|hours?)\b", re.I)
# How many of the first fused passages the coverage of the question's words is read over
# (Retrieval.coverage, an abstention signal). Measured 2026-12-03: 8 answered one more dev
# question that 5 refused, 10 answered two dev questions that must be refused, and at 8 the
# held-out split lost two correct refusals (abstention recall 0.92 -> 0.84): 5 stays.
COVERAGE_DEPTH = 5
# "Why does the Commission consider …?": the guidelines give their reasons under a heading of that kind.
WHY_Q = re.compile(r"\bwhy\b|\breasons?\b|\brationale\b", re.I)
RATIONALE_HEADING = re.compile(r"\brationale\b|\bobjectives?\b", re.I)
# What the Omnibus deleted stands in the consolidated text as a stub ('5. [Deleted by Regulation
# (EU) 2026/1744, Article 1, point (9)(b)]'): it answers no question but one that names it.
DELETED_STUB = re.compile(r"^\s*(?:\(?\w{1,4}[.)]\s*)?\[Deleted by [^\]]*\]\s*$")
# A question about dates that the answer's own test (R.WHEN_Q) does not read as one: "deadlines",
# "to when?", "when must we be compliant", "does the ban already apply?", "did the Omnibus
# postpone / delay the rules?". For retrieval only: the dated provisions (Article 113's points)
# are searched and the dates weighted as for any 'when' question; the answer's reading is unchanged.
MORE_WHEN_Q = re.compile(r"\b(?:the|main|which|what|new|key|upcoming|[\w-]+-risk|GPAI)\s+deadlines\b|\bto when\b|"
                         r"\bwhen (?:do|does|must|will|should|shall|are|is)\b.*\bcomplian(?:t|ce)\b|"
                         r"\balready (?:appl\w*|in force|binding)\b|\b(?:apply|applies|in force) (?:yet|already)\b|"
                         r"\bpostpone\w*|\bdelay(?:ed)?\s+(?:the|its|their|our)\b|\bpushed (?:back|to)\b", re.I)
DEFINITION_WORDS = re.compile(r"\b(mean|means|meaning|define[sd]?|definition|counts? as|what is an?|"
                              r"what are|who is|who are)\b", re.I)


@dataclass
class Candidate:
    provision: Provision
    reason: str = "retrieved"
    similarity: float = 0.0
    features: dict = field(default_factory=dict)


@dataclass
class Found:
    candidates: dict[str, Candidate]
    requested: list[str]
    missing: list[str]
    best_similarity: float
    fused_top: list[Provision]


def gather(retriever, query: str, as_of: dt.date, guidance: bool) -> Found:
    """All candidates for a question, with their features."""
    store = retriever.store
    expanded = R.expand_abbreviations(query)
    embedding = np.asarray(retriever.embedder.embed_query(expanded), dtype=np.float32)
    when, amount = asks_when(query), bool(R.AMOUNT_Q.search(query))
    pool: dict[str, Candidate] = {}

    def add(p: Provision, reason: str = "retrieved", **flags: float) -> Candidate:
        if not guidance and p.kind in (GUIDELINES, CODE):
            return Candidate(p)
        if reason != "reference" and p.id not in pool and is_deleted_stub(p):
            return Candidate(p)
        c = pool.get(p.id)
        if c is None:
            c = pool[p.id] = Candidate(p, reason)
        elif reason != "retrieved" and c.reason == "retrieved":
            c.reason = reason
        for k, v in flags.items():
            c.features[k] = max(c.features.get(k, 0.0), v)
        return c

    dense = store.dense(embedding.tolist(), as_of, retriever.k)
    node_rrf: dict[int, float] = defaultdict(float)
    for rank, hit in enumerate(dense):
        add(store.provisions[store.node_provision[hit.node_index]], dense_rank=1.0 / (1 + rank))
        node_rrf[hit.node_index] += 1.0 / (retriever.rrf_k + rank + 1)
    if when:
        for rank, hit in enumerate(store.dense_among(embedding.tolist(), store.dated_nodes(as_of), 10)):
            add(store.provisions[store.node_provision[hit.node_index]])
            node_rrf[hit.node_index] += 1.0 / (retriever.rrf_k + rank + 1)
    amount_rrf: dict[int, float] = defaultdict(float)
    if amount and not (SME.search(query) or SMC.search(query)):
        # Amounts live in few provisions (Article 99's fines, above all): rank those directly, as
        # dates for a 'when' question, so 'how much is the fine if …' reaches the amount even when
        # the provision setting the duty shares more of its words. Not for the SME and small
        # mid-cap questions: their answer is the cap ('whichever thereof is lower'), which states
        # no amount and which the amounts crowded out (measured on dev). Kept out of the fused
        # list the abstention thresholds read (fused_top), as they were calibrated without it.
        amounts = store.nodes_stating("amount", R.HAS_AMOUNT.search, as_of)
        for rank, hit in enumerate(store.dense_among(embedding.tolist(), amounts, 10)):
            add(store.provisions[store.node_provision[hit.node_index]])
            amount_rrf[hit.node_index] += 1.0 / (retriever.rrf_k + rank + 1)
    for rank, hit in enumerate(store.bm25(expanded, as_of, retriever.k)):
        add(store.provisions[store.node_provision[hit.node_index]], bm25_rank=1.0 / (1 + rank))
        node_rrf[hit.node_index] += 1.0 / (retriever.rrf_k + rank + 1)
    plain = _fused(store, node_rrf, query, when, amount)
    fused_top = [pool[pid].provision for pid in sorted(plain, key=lambda x: -plain[x]) if pid in pool][:COVERAGE_DEPTH]
    for i, score in amount_rrf.items():
        node_rrf[i] += score
    rrf = _fused(store, node_rrf, query, when, amount) if amount_rrf else plain
    best_similarity = max((h.score for h in dense), default=0.0)

    refs = find_references(query)
    requested = [r.reference for r in refs]
    missing = []
    for ref, qualifier in _named(query, refs):
        found = retriever.resolve(ref.document, ref.reference, as_of)
        if not found:
            missing.append(ref.reference)
        for p in found:
            if p.reference == ref.reference:
                add(p, "reference", **({"named_qualifier": 1.0} if qualifier else {"named_subject": 1.0}))
            else:
                add(p, "reference", named_within=1.0)
        for ancestor in R.ancestors(ref.reference):
            p = retriever.in_force(ref.document, ancestor, as_of)
            if p is not None and ancestor.startswith("Article") and "(" in ancestor:
                add(p, named_parent=1.0)
    if when and requested:
        # "When does Article 6(1) apply?" is answered where a date is set for Article 6(1).
        for i in store.dated_nodes(as_of):
            p = store.provisions[store.node_provision[i]]
            if any(R._mentions(p.text, r) for r in requested) and not any(
                    is_descendant(p.reference, r) for r in requested):
                add(p, "reference")
    if guidance:
        for label in find_other_references(query):
            for (doc, reference), ps in retriever.by_reference.items():
                if reference == label:
                    for p in ps:
                        if p.in_force_on(as_of):
                            add(p, "reference", named_label=1.0)
    term_ref = retriever.definition_for(query)
    if term_ref:
        p = retriever.in_force("AI Act", term_ref, as_of)
        if p:
            add(p, "definition", definition=1.0)
    terms = _terms_in(retriever, query)
    # "What's the difference between a provider and a deployer?" is answered by the two definitions.
    defining = bool(DEFINITION_WORDS.search(query)) or (len(terms) > 1 and bool(R.COMPARE_WORDS.search(query))
                                                      and not R.DUTY_WORDS.search(query))
    for ref in terms:
        p = retriever.in_force("AI Act", ref, as_of)
        if p:
            add(p, "definition" if defining and not term_ref else "retrieved", defines_term=1.0)
    if when:
        best = sorted(pool.values(), key=lambda c: -rrf.get(c.provision.id, 0.0))[:5]
        for s in retriever._application_dates([R.Scored(c.provision, 0.0, 0.0, "") for c in best], as_of):
            add(s.provision, "application date", application_date=1.0)
    # One hop along the references of the best passages ('referred to in Annex III').
    first = sorted(pool.values(), key=lambda c: -(rrf.get(c.provision.id, 0.0) + c.features.get("named_subject", 0)
                                                  + c.features.get("definition", 0)))[:5]
    for c in first:
        for ref in R._cross_references(c.provision.text)[:2]:
            for p in retriever.resolve("AI Act", ref, as_of, limit=1):
                if p.id not in pool:
                    add(p, "cross-reference", cross_reference=1.0)
                elif c.provision.kind in (GUIDELINES, CODE):
                    # Found on its own too, and the guideline paragraph that best answers quotes it
                    # as the rule it explains ("Article 5(1)(b) AI Act …"): the rule itself counts.
                    pool[p.id].features["cross_reference"] = 1.0

    # The rule the best guideline paragraphs explain (their section is headed by it: 'ARTICLE
    # 5(1)(F) AI ACT EMOTION RECOGNITION', 'Point 3(d): …' under Annex III): a lay question
    # answered by the explanation is answered in law by that rule.
    explained = [c for c in sorted(pool.values(), key=lambda c: -rrf.get(c.provision.id, 0.0))
                 if c.provision.kind in (GUIDELINES, CODE)][:3]
    for c in explained:
        ref = explained_rule(c.provision)
        p = retriever.in_force("AI Act", ref, as_of) if ref else None
        if p is not None:
            # A candidate (cover() decides whether it joins the first citations), not a feature
            # the fitted weights have not seen.
            add(p, "cross-reference")

    if any(c.reason in ("reference", "definition") for c in pool.values()):
        best_similarity = max(best_similarity, 1.0)
    top_rrf = max(rrf.values(), default=0.0) or 1.0
    for c in pool.values():
        c.features["fused"] = rrf.get(c.provision.id, 0.0) / top_rrf
    _describe(retriever, pool, query, embedding, when, amount, requested)
    return Found(pool, requested, missing, best_similarity, fused_top)


def asks_when(query: str) -> bool:
    """Whether retrieval should look for the dates (R.WHEN_Q, or one of its wider forms)."""
    return bool(R.WHEN_Q.search(query) or MORE_WHEN_Q.search(query))


def asked_kind(query: str) -> str | None:
    """The kind of source the question asks what it says (R.asked_kind), for ranking. Not the
    code of practice when the question asks what the code is worth — signing it, its being
    binding, the presumption it gives, non-signatories ('What does signing the GPAI code of
    practice actually give a provider?'): the Act answers that (Articles 53(4), 55(2), 56), not
    the code's own measures (as ``plan.asks_source`` reads it for the answer)."""
    kind = R.asked_kind(query)
    return None if kind == CODE and CODE_STATUS.search(query) else kind


def kind_weights(query: str) -> dict[str, float]:
    """R.kind_weights, without the code's weight when the question asks about the code's status."""
    weights = R.kind_weights(query)
    if R.asked_kind(query) == CODE and asked_kind(query) is None:
        weights[CODE] = R.KIND_WEIGHT.get(CODE, weights[CODE])
    return weights


def is_deleted_stub(p: Provision) -> bool:
    return p.amendment == "deleted" and _has(DELETED_STUB, p.text)


def _fused(store, node_rrf: dict[int, float], query: str, when: bool, amount: bool) -> dict[str, float]:
    """The reciprocal-rank fusion of the dense and BM25 lists, weighted by kind of source, as the
    abstention thresholds were calibrated on (min_coverage reads its first COVERAGE_DEPTH)."""
    by_provision: dict[str, float] = {}
    for i, score in node_rrf.items():
        pid = store.node_provision[i]
        by_provision[pid] = max(by_provision.get(pid, 0.0), score)
    weights = kind_weights(query)
    out = {}
    for pid, score in by_provision.items():
        p = store.provisions[pid]
        score *= weights.get(p.kind, 0.75)
        if p.reference.startswith("Recital"):
            score *= 0.8
        if when and _has(DATE, p.text):
            score *= 1.35
        if amount and _has(R.HAS_AMOUNT, p.text):
            score *= 1.35
        out[pid] = score
    return out



HEADING_POINT = re.compile(r"^[\d.]*\s*Point\s*\(?(\d+)\)?\s*\(([a-z])\)", re.I)


def explained_rule(p: Provision) -> str | None:
    """The provision of the Act a guideline paragraph explains, read from its nearest heading
    that names one ('7. ARTICLE 5(1)(F) AI ACT EMOTION RECOGNITION' → 'Article 5(1)(f)';
    '3.3.5 Point 3(d): …' in the part on Annex III → 'Annex III, point 3(d)'). A whole article
    ('Article 5 AI Act') is too broad to be the rule; None when no heading names one."""
    if p.kind not in (GUIDELINES, CODE):
        return None
    path = tuple(p.path)
    for i in range(len(path) - 1, -1, -1):
        m = HEADING_POINT.match(path[i])
        if m and any("Annex III" in h for h in path[:i]):
            return f"Annex III, point {m.group(1)}({m.group(2).lower()})"
        named = find_references(path[i])
        if len(named) == 1 and ("(" in named[0].reference or ", point" in named[0].reference):
            return named[0].reference  # 'according to Article 6(2) and Annex III': a part, not a rule
    return None


def _named(query: str, refs) -> list[tuple]:
    """Each named reference, and whether it is named as a qualifier ('systems listed in Annex III')
    rather than as the subject of the question."""
    qualifiers: set[str] = set()
    for m in R.REFERENCE_TEXT.finditer(query):
        if QUALIFIER.search(query[:m.start()]):
            qualifiers |= {r.reference for r in find_references(m.group(0))}
    return [(ref, ref.reference in qualifiers) for ref in refs]


def _terms_in(retriever, query: str) -> list[str]:
    """Article 3 points whose defined term the question uses ('deployer', 'deep fake')."""
    q = " " + re.sub(r"[^a-z0-9 -]", " ", query.lower()) + " "
    q = re.sub(r"\s+", " ", q)
    found = []
    for term, ref in retriever.definitions.items():
        if len(term) > 3 and (f" {term} " in q or f" {term}s " in q):
            found.append((len(term), ref))
    found.sort(reverse=True)
    return [ref for _, ref in found[:2]]


def _describe(retriever, pool: dict[str, Candidate], query: str, embedding: np.ndarray, when: bool,
              amount: bool, requested: list[str]) -> None:
    """Fill every candidate's features (flags set while gathering are kept)."""
    store = retriever.store
    q = R._stems(R.expand_abbreviations(query))
    asked = asked_kind(query)
    about = bool(requested) and R._about_references(query)
    how_long, why = bool(HOW_LONG_Q.search(query)), bool(WHY_Q.search(query))
    sims = _similarities(retriever, [c.provision for c in pool.values()], embedding)
    best = max(sims.values(), default=0.0)
    for c in pool.values():
        p, f = c.provision, c.features
        c.similarity = sims.get(p.id, 0.0)
        f["dense"] = max(0.0, c.similarity)
        f["dense_relative"] = math.exp(-10.0 * max(0.0, best - c.similarity))
        f["text_overlap"] = R._overlap(q, p.text)
        f["sentence_overlap"] = max((len(q & s) / (1 + len(q)) for s in _sentence_stems(p.text)), default=0.0)
        f["title_overlap"] = R._overlap(q, " ".join((p.document, p.title) + tuple(p.path)))
        f["neighbour_margin"] = _margin(retriever, p, c.similarity, embedding)
        f["mentions_named"] = float(any(R._mentions(p.text, r) for r in requested
                                        if not is_descendant(p.reference, r)))
        f["date_for_when"] = float(when and _has(DATE, p.text))
        f["amount_for_fine"] = float(amount and _has(R.HAS_AMOUNT, p.text))
        f["duration_for_how_long"] = float(how_long and _has(DURATION, p.text))
        f["rationale_for_why"] = float(why and any(RATIONALE_HEADING.search(h) for h in p.path[-2:]))
        f["when_without_date"] = float(when and not f["date_for_when"])
        f["fine_without_amount"] = float(amount and not f["amount_for_fine"])
        named = f.get("named_subject", 0.0) or f.get("named_within", 0.0)
        f["named_about"] = float(bool(named) and about)
        f["named_whole_article"] = float(bool(f.get("named_within")) and any(
            r.startswith("Article") and "(" not in r and is_descendant(p.reference, r) for r in requested))
        f["binding"] = float(p.kind == BINDING)
        f["amending"] = float(p.kind == "amending act")
        f["soft_law"] = float(p.kind in (GUIDELINES, CODE))
        f["asked_kind"] = float(asked is not None and p.kind == asked)
        f["recital"] = float(p.reference.startswith("Recital"))
        f["list_head"] = float(p.text.rstrip().endswith(":"))
        for k, v in f.items():  # most are flags, 0.0 or 1.0 already: as round(float(v), 4) leaves them
            if v.__class__ is not float or (v != 0.0 and v != 1.0):
                f[k] = round(float(v), 4)


# What a provision's text states is the text's alone: worked out once per text, not again for
# each of the ~70 candidates of every question (as the stems are, retrieve._stems_cached).
@lru_cache(maxsize=65536)
def _has(pattern: re.Pattern, text: str) -> bool:
    """Whether the text states a date, an amount, a duration (``pattern`` is one of those)."""
    return bool(pattern.search(text))


@lru_cache(maxsize=16384)
def _sentence_stems(text: str) -> tuple[frozenset[str], ...]:
    """The stems of each sentence (``R._overlap`` of a sentence is ``len(q & stems) / (1 + len(q))``);
    read from the build when it stored them under the same split and stemming rules."""
    stored = known_sentences(text, R.stem_rule(), split_rule())
    return stored if stored is not None else tuple(R._stems(s) for s in split_sentences(text))


def _rows(retriever) -> dict[str, list[int]]:
    rows = getattr(retriever, "_provision_rows", None)
    if rows is None:
        rows = defaultdict(list)
        for i, pid in enumerate(retriever.store.node_provision):
            rows[pid].append(i)
        retriever._provision_rows = rows
    return rows


def _similarities(retriever, provisions: list[Provision], embedding: np.ndarray) -> dict[str, float]:
    rows = _rows(retriever)
    wanted = sorted({i for p in provisions for i in rows.get(p.id, ())})
    if not wanted:
        return {}
    sims = dict(zip(wanted, (retriever.store.node_embeddings(wanted) @ embedding).tolist()))
    return {p.id: max((sims[i] for i in rows.get(p.id, ())), default=0.0) for p in provisions}


def opens_explanation(retriever, p: Provision) -> bool:
    """A guideline or code paragraph that opens the section explaining a rule: the first under a
    heading that names the provision ('7. ARTICLE 5(1)(F) AI ACT EMOTION RECOGNITION' → '(239)
    Article 5(1)(f) AI Act prohibits AI systems to infer emotions … in the areas of workplace and
    education institutions, except …'). The paragraphs after it refine one notion each (what a
    'workplace' is, the medical exception); the opening one says what the rule does. A box quoting
    the rule itself ('Article 5(1)(f) AI Act provides:') is the rule again, not its explanation."""
    if p.kind not in (GUIDELINES, CODE) or not p.path or find_references(p.reference):
        return False
    # Right under the outermost heading naming the rule, before its first subsection: the opening
    # of a subsection ('3.2 Exceptions to … Article 50(1)') introduces one part of the rule only.
    naming = [i for i, h in enumerate(p.path) if HEADING_POINT.match(h) or any(
        "(" in r.reference or ", point" in r.reference for r in find_references(h))]
    if not naming or naming[0] != len(p.path) - 1 or explained_rule(p) is None:
        return False
    before = [x for x in _neighbours(retriever).get(p.id, []) if x.order < p.order]
    return not before or tuple(before[0].path) != tuple(p.path)


def _neighbours(retriever) -> dict[str, list[Provision]]:
    """The provisions right before and after each one in its source text (same document)."""
    cached = getattr(retriever, "_neighbour_map", None)
    if cached is None:
        groups: dict[tuple[str, str, str], list[Provision]] = defaultdict(list)
        for p in retriever.store.provisions.values():
            groups[(p.document, p.source, p.version)].append(p)
        cached = {}
        for group in groups.values():
            group.sort(key=lambda x: x.order)
            for i, p in enumerate(group):
                cached[p.id] = [x for x in (group[i - 1] if i else None,
                                            group[i + 1] if i + 1 < len(group) else None) if x is not None]
        retriever._neighbour_map = cached
    return cached


def _neighbour_vectors(retriever, pid: str) -> tuple[np.ndarray, bool] | None:
    """A provision's neighbours' vectors (their rows, in order) and whether one has none (None
    without neighbours): the same rows for every question, gathered once per process rather
    than once per candidate of each."""
    cached = getattr(retriever, "_neighbour_vectors", None)
    if cached is None:
        cached = retriever._neighbour_vectors = {}
    if pid not in cached:
        near, rows = _neighbours(retriever).get(pid, []), _rows(retriever)
        wanted = sorted({i for x in near for i in rows.get(x.id, ())})
        vectors = retriever.store.node_embeddings(wanted) if wanted else np.zeros((0, 0), np.float32)
        cached[pid] = (vectors, any(not rows.get(x.id) for x in near)) if near else None
    return cached[pid]


def _margin(retriever, p: Provision, similarity: float, embedding: np.ndarray) -> float:
    near = _neighbour_vectors(retriever, p.id)
    if near is None:
        return 0.5
    vectors, unembedded = near
    # as _similarities of the neighbours: the best of their rows, and 0.0 for one without rows
    sims = (vectors @ embedding).tolist() if len(vectors) else []
    best = max(sims + [0.0] if unembedded or not sims else sims)
    return 1.0 / (1.0 + math.exp(-20.0 * (similarity - best)))  # 0.5 when as close as its neighbour


def cover(ranked: list, query: str, params: dict, opens: Callable[[Provision], bool] | None = None) -> list:
    """The binding rule and the best soft-law explanation both among the first citations when
    both answer well enough (ratios to the best score, fitted with the weights); each provision
    once (its in-force version: earlier wordings are attached to it when the answer is composed).
    ``opens`` tells a paragraph that opens the explanation of a rule (``opens_explanation``)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for s in ranked:
        key = (s.provision.document, s.provision.reference)
        if key not in seen:
            seen.add(key)
            out.append(s)
    # A provision the question asks about by name ("What does Article 5(1)(f) say?") is the
    # answer by the question's own words, however far the embedder places it.
    # Not for "when"/"how much": the date or amount for a provision is usually set elsewhere.
    def asked_by_name(s, how: str) -> bool:
        f = s.features
        return bool(f.get("named_about") and f.get(how) and not f.get("when_without_date")
                    and not f.get("fine_without_amount") and not f.get("date_for_when")
                    and not f.get("amount_for_fine"))

    # An article with no text of its own ("What does Article 5 say?") is answered by its paragraphs.
    named = [s for s in out if asked_by_name(s, "named_subject")] or \
        sorted((s for s in out if asked_by_name(s, "named_within")), key=lambda s: s.provision.order)
    if not named and R.REFERENCE_TEXT.match(query.strip()):
        # "Article 53(1)(b) information for downstream providers", "Article 14(1): what …": a
        # question headed by the one provision it names is about it, whatever topic words follow.
        subjects = [s for s in out if s.features.get("named_subject") and not s.features.get("named_qualifier")]
        if len(subjects) == 1 and not any(subjects[0].features.get(k) for k in (
                "when_without_date", "fine_without_amount", "date_for_when", "amount_for_fine")):
            named = subjects
    if named:
        out = named + [s for s in out if s not in named]
    if not out or asked_kind(query):
        return out
    # The binding rule is an article or annex: a recital explains it and binds no one.
    def rule(s) -> bool:
        return s.provision.kind == BINDING and not s.provision.reference.startswith("Recital")

    if not rule(out[0]):
        # Binding law leads when it answers nearly as well as the best passage (as the answer does).
        lead = next((s for s in out[1:8] if rule(s)
                     and s.score >= params.get("lead_ratio", 2.0) * out[0].score), None)
        if lead is not None:
            out.remove(lead)
            out.insert(0, lead)
    top, slots = out[0].score, int(params.get("slots", 4))
    # A question that names its provision is answered by it; the explanation is for lay questions.
    lay = not any(s.features.get(k) for s in out[:slots] for k in ("named_subject", "named_within", "named_label"))
    if lay:
        # The explanation among the first citations brings the rule it explains (its section's
        # heading names it) when that rule was found too: the law first, then its explanation.
        soft = next((s for s in out[:slots] if s.provision.kind in (GUIDELINES, CODE)), None)
        ref = explained_rule(soft.provision) if soft is not None else None
        if ref and not any(s.provision.document == "AI Act" and s.provision.reference == ref for s in out[:slots]):
            found = next((s for s in out[slots:] if s.provision.document == "AI Act"
                          and s.provision.reference == ref), None)
            # It takes the fifth citation's place only if it is closer to the question than that.
            # …or when the first five already hold enough explanations of that same rule: a further
            # paragraph of the explanation tells less than the rule it explains.
            shown, crowd = 5, int(params.get("explained_crowd", 6))
            explaining = sum(x.provision.kind in (GUIDELINES, CODE) and explained_rule(x.provision) == ref
                             for x in out[:shown])
            if found is not None and (out.index(found) < shown or len(out) <= shown or explaining >= crowd or
                                      found.features.get("dense", 0.0) >= out[shown - 1].features.get("dense", 0.0)):
                out.remove(found)
                out.insert(max(1, out.index(soft)), found)
    for want, ratio in ((rule, params.get("binding_ratio", 0.3)),
                        (lambda s: lay and s.provision.kind in (GUIDELINES, CODE), params.get("soft_ratio", 0.5))):
        if any(want(s) for s in out[:slots]):
            continue
        best = next((s for s in out[slots:] if want(s) and s.score >= ratio * top), None)
        if best is not None:
            out.remove(best)
            out.insert(slots - 1, best)
    if lay and opens is not None and params.get("explained_opening"):
        out = _with_opening(out, slots, opens, int(params["explained_opening"]))
    return out


def _with_opening(out: list, slots: int, opens: Callable[[Provision], bool], crowd: int) -> list:
    """A lay answer led by a rule and at least ``crowd`` paragraphs explaining it, from different
    subsections, but not the paragraph that opens that explanation (the ones found refine one
    notion each and came closer to the question's words): the opening paragraph, when it is a
    candidate, takes the place of the last explaining paragraph among the first five. The kinds of
    source shown stay as they were; a single explaining paragraph is the one the question found,
    and is kept."""
    shown = 5
    rule = next((s for s in out[:slots] if s.provision.kind == BINDING
                 and not s.provision.reference.startswith("Recital")), None)
    if rule is None:
        return out
    ref = rule.provision.reference
    explaining = [s for s in out[:shown] if s.provision.kind in (GUIDELINES, CODE)
                  and explained_rule(s.provision) == ref]
    if len(explaining) < crowd or any(opens(s.provision) for s in explaining):
        return out
    # Explaining paragraphs of one subsection answer the part of the rule it is about ('3.2.1
    # Exception for obvious interaction'); from different parts of the section none is the whole
    # answer, and the paragraph opening the section says what the rule does.
    if len({tuple(s.provision.path) for s in explaining}) < 2:
        return out
    opening = next((s for s in out[shown:] if s.provision.kind in (GUIDELINES, CODE)
                    and explained_rule(s.provision) == ref and opens(s.provision)), None)
    if opening is None:
        return out
    out = list(out)
    i, j = out.index(explaining[-1]), out.index(opening)
    out[i], out[j] = opening, explaining[-1]
    return out
