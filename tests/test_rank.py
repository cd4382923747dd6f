"""The ranker: named features, weights from a data file, coverage of binding and soft law."""
from __future__ import annotations

import json

import pytest

from assistant.candidates import cover
from assistant.rank import FEATURES, NAMES, WEIGHTS_FILE, load_ranker
from assistant.retrieve import Scored
from aiact.corpus.provision import Provision


def test_the_shipped_weights_name_every_feature_and_say_how_they_were_fitted():
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert data["features"] == list(NAMES) == list(FEATURES)
    assert data["meta"]["command"] == "python -m aiact.evals.fit_ranker"
    assert data["meta"]["questions"] > 100


def test_a_named_subject_outranks_the_same_passage_unnamed():
    ranker = load_ranker()
    base = {"dense": 0.5, "dense_relative": 0.8, "binding": 1.0, "bm25_rank": 0.2}
    assert ranker.score(dict(base, named_subject=1.0)) > ranker.score(base)
    assert ranker.score(dict(base, definition=1.0)) > ranker.score(base)


def test_unknown_features_in_the_weights_file_are_refused(tmp_path):
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps({"features": ["bogus"], "weights": [1.0], "intercept": 0.0}))
    with pytest.raises(ValueError, match="fit_ranker"):
        load_ranker(str(path))


def _s(ref: str, kind: str, score: float, version: str = "v") -> Scored:
    doc = "AI Act" if kind == "binding law" else "Guidelines on X"
    p = Provision(document=doc, reference=ref, title="", text="t", url="", kind=kind, version=version,
                  source="s.md")
    return Scored(p, score, 0.5, "retrieved")


def test_cover_brings_the_binding_rule_and_a_guideline_into_the_first_slots():
    ranked = [_s("para. 1", "guidelines", 0.9), _s("para. 2", "guidelines", 0.8), _s("para. 3", "guidelines", 0.7),
              _s("para. 4", "guidelines", 0.6), _s("Article 50(1)", "binding law", 0.5)]
    out = cover(ranked, "Do I have to tell people they talk to a chatbot?",
                {"lead_ratio": 0.4, "binding_ratio": 0.3, "soft_ratio": 0.5, "slots": 3})
    assert out[0].provision.reference == "Article 50(1)"
    assert cover(ranked, "What do the guidelines say about chatbots?", {"lead_ratio": 0.4})[0] is ranked[0]


def test_a_recital_does_not_stand_in_for_the_binding_rule():
    # Lay question, guideline paragraphs and a recital first: the rule itself is brought up.
    ranked = [_s("para. 270", "guidelines", 0.9), _s("para. 254", "guidelines", 0.8), _s("Recital 44", "binding law", 0.7),
              _s("para. 255", "guidelines", 0.6), _s("Article 5(1)(f)", "binding law", 0.3)]
    params = {"lead_ratio": 2.0, "binding_ratio": 0.2, "soft_ratio": 2.0, "slots": 3}
    out = cover(ranked, "Can my company detect the emotions of employees?", params)
    assert "Article 5(1)(f)" in [s.provision.reference for s in out[:3]]
    # …but not a rule that scores far below the best passage.
    weak = ranked[:4] + [_s("Article 5(1)(f)", "binding law", 0.1)]
    assert "Article 5(1)(f)" not in [s.provision.reference for s in cover(weak, "emotions at work", params)[:3]]


def test_cover_keeps_one_version_of_a_provision():
    ranked = [_s("Article 57(1)", "binding law", 0.9, "2026"), _s("Article 57(1)", "binding law", 0.8, "2024"),
              _s("Article 57(2)", "binding law", 0.7)]
    out = cover(ranked, "sandboxes", {})
    assert [s.provision.reference for s in out] == ["Article 57(1)", "Article 57(2)"]


def test_reasons_name_what_raised_and_lowered_a_score():
    ranker = load_ranker()
    reasons = ranker.reasons({"named_subject": 1.0, "fused": 1.0, "soft_law": 1.0, "dense": 0.0})
    names = [n for n, _, _ in reasons]
    assert names[0] in ("named_subject", "fused") and "soft_law" in names
    assert all(text == FEATURES[n] for n, text, _ in reasons)
    assert reasons[-1][2] < 0 < reasons[0][2]  # the largest drag comes last
    assert ranker.reasons({}) == []


def test_the_source_card_shows_why_a_citation_ranked():
    from assistant.types import Citation
    from aiact.ui.render import citation_card

    base = Citation(1, "AI Act", "Article 50(1)", "Transparency", "natural persons are informed", "", 0.9)
    import dataclasses

    card = citation_card(dataclasses.replace(base, features={"named_subject": 1.0, "fused": 0.8}))
    assert "Why it ranked" in card and FEATURES["named_subject"] in card
    assert "Why it ranked" not in citation_card(base)  # a citation the answer added itself


def test_a_question_headed_by_the_provision_it_names_leads_with_it():
    import dataclasses

    named = dataclasses.replace(_s("Article 53(1)(b)", "binding law", 0.5), features={"named_subject": 1.0})
    ranked = [_s("Annex XII", "binding law", 0.9), _s("Article 89(2)(b)", "binding law", 0.8), named]
    first = lambda q: cover(ranked, q, {})[0].provision.reference
    assert first("Article 53(1)(b) information for downstream providers") == "Article 53(1)(b)"
    # Named further on, among other words, it is weighed like any other candidate.
    assert first("What must downstream providers get, as Article 53(1)(b) requires?") == "Annex XII"


@pytest.mark.slow
def test_the_rule_a_top_guideline_paragraph_quotes_is_marked_and_cited(real_assistant):
    """A lay question whose best passage is the guideline paragraph explaining Article 5(1)(b):
    the provision it quotes counts as pointed at, and the answer cites the rule itself early."""
    import datetime as dt

    from assistant.candidates import gather

    question = "Is it legal to build an AI that takes advantage of the vulnerabilities of elderly people?"
    found = gather(real_assistant.retriever, question, dt.date(2026, 12, 2), True)
    rule = [c for c in found.candidates.values() if c.provision.document == "AI Act"
            and c.provision.reference == "Article 5(1)(b)"]
    assert rule and rule[0].features.get("cross_reference") == 1.0
    cited = [c.reference for c in real_assistant.ask(question).citations[:5]]
    assert "Article 5(1)(b)" in cited, cited


def test_a_subject_provision_asked_about_a_qualifier_leads_with_the_part_that_names_it():
    from assistant.answer import _lead

    def scored(ref: str, text: str, score: float) -> Scored:
        p = Provision(document="AI Act", reference=ref, title="", text=text, url="", kind="binding law",
                      version="v", source="s.md")
        return Scored(p, score, 0.5, "reference")

    opening = scored("Article 113", "It shall apply from 2 August 2026. However:", 1.0)
    point_a = scored("Article 113(a)", "(a) Chapters I and II shall apply from 2 February 2025;", 0.9)
    point_c = scored("Article 113(c)", "(c) Article 6(1) and the corresponding obligations shall apply "
                                       "from 2 August 2027.", 0.8)
    elsewhere = scored("Article 43(1)", "Where a provider has applied Article 6(1) …", 0.95)
    results = [opening, elsewhere, point_a, point_c]
    assert _lead(results, "What did Article 113 say about Article 6(1)?")[0] is point_c
    # one named provision: the ranking decides, as before
    assert _lead(results, "What did Article 113 say?")[0] is opening


def _g(ref: str, path: tuple[str, ...], score: float, dense: float = 0.5):
    p = Provision(document="Guidelines on X", reference=ref, title="", text="t", url="", kind="guidelines",
                  version="v", source="s.md", path=path)
    return Scored(p, score, dense, "retrieved", {"dense": dense})


def test_the_rule_a_guideline_paragraph_explains_is_read_from_its_headings():
    from assistant.candidates import explained_rule

    emotion = ("7. ARTICLE 5(1)(F) AI ACT EMOTION RECOGNITION", "7.2. Main concepts", "a) ‘Workplace’")
    assert explained_rule(_g("para. 254", emotion, 0.5).provision) == "Article 5(1)(f)"
    exams = ("IV. High-risk classification according to Article 6(2) and Annex III AI Act",
             "3 High-risk AI systems in the areas listed in Annex III", "3.3.5 Point 3(d): AI systems intended …")
    assert explained_rule(_g("para. 235", exams, 0.5).provision) == "Annex III, point 3(d)"
    # A heading naming two provisions, or a whole article, names no one rule.
    assert explained_rule(_g("para. 119", exams[:2], 0.5).provision) is None
    assert explained_rule(_g("para. 1", ("2.1. Prohibitions listed in Article 5 AI Act",), 0.5).provision) is None
    assert explained_rule(_s("Article 5(1)(f)", "binding law", 0.5).provision) is None


def test_cover_brings_the_rule_the_leading_explanation_explains():
    emotion = ("7. ARTICLE 5(1)(F) AI ACT EMOTION RECOGNITION",)
    rule = Scored(_s("Article 5(1)(f)", "binding law", 0.3).provision, 0.3, 0.5, "retrieved", {"dense": 0.5})
    ranked = [Scored(_s("Annex III, point 4(a)", "binding law", 0.9).provision, 0.9, 0.5, "retrieved", {"dense": 0.5}),
              _g("para. 254", emotion, 0.8), _g("para. 255", emotion, 0.7),
              Scored(_s("Annex III, point 1(a)", "binding law", 0.6).provision, 0.6, 0.3, "retrieved", {"dense": 0.3}),
              Scored(_s("Article 6(3)", "binding law", 0.5).provision, 0.5, 0.2, "retrieved", {"dense": 0.2}),
              rule]
    params = {"lead_ratio": 2.0, "binding_ratio": 0.3, "soft_ratio": 2.0, "slots": 3}
    out = [s.provision.reference for s in cover(ranked, "Can an employer read candidates' emotions?", params)]
    assert out[:3] == ["Annex III, point 4(a)", "Article 5(1)(f)", "para. 254"]  # the lead is kept
    # Not when it is farther from the question than the fifth citation it would push out.
    far = ranked[:5] + [Scored(rule.provision, 0.3, 0.1, "retrieved", {"dense": 0.1})]
    assert "Article 5(1)(f)" not in [s.provision.reference for s in cover(far, "emotions of candidates?", params)[:5]]


def test_a_rule_crowded_out_by_its_own_explanations_takes_the_fifth_place():
    # "Is predictive policing banned?": four paragraphs explaining Article 5(1)(d) fill the first
    # five and are each closer to the question than the rule; the rule replaces the last of them.
    policing = ("5. ARTICLE 5(1)(D) AI ACT INDIVIDUAL CRIME RISK ASSESSMENT AND PREDICTION",)
    rule = Scored(_s("Article 5(1)(d)", "binding law", 0.3).provision, 0.3, 0.4, "retrieved", {"dense": 0.4})
    ranked = [_g("para. 212", policing, 0.86, 0.72), _g("para. 189", policing, 0.85, 0.65),
              Scored(_s("Annex III, point 6(e)", "binding law", 0.4).provision, 0.43, 0.35, "retrieved", {"dense": 0.35}),
              _g("para. 213", policing, 0.56, 0.65), _g("para. 190", policing, 0.36, 0.61), rule]
    question = "Is predictive policing that forecasts crime hotspots on a map banned?"
    params = {"lead_ratio": 0.8, "binding_ratio": 0.3, "soft_ratio": 2.0, "slots": 3}
    assert "Article 5(1)(d)" not in [s.provision.reference for s in cover(ranked, question, params)[:5]]
    out = [s.provision.reference for s in cover(ranked, question, dict(params, explained_crowd=4))]
    assert out[:5] == ["para. 212", "Article 5(1)(d)", "para. 189", "Annex III, point 6(e)", "para. 213"]
    # Three explanations of the rule are not a crowd of four.
    fewer = ranked[:4] + [Scored(_s("Article 6(3)", "binding law", 0.3).provision, 0.35, 0.62, "retrieved",
                                 {"dense": 0.62}), rule]
    assert "Article 5(1)(d)" not in [s.provision.reference for s in
                                     cover(fewer, question, dict(params, explained_crowd=4))[:5]]


def test_the_crowd_setting_is_chosen_on_dev_and_recorded():
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    coverage, meta = data["meta"]["coverage"], data["meta"]
    assert coverage.get("explained_crowd", 6) in (2, 3, 4, 6)
    if "explained_crowd" in coverage:
        assert meta["crowd_command"] == "python -m aiact.evals.fit_ranker --crowd-only"
        assert str(coverage["explained_crowd"]) in meta["crowd_grid"]


def test_a_period_answers_how_long_and_a_rationale_heading_answers_why():
    from assistant.candidates import DURATION, HOW_LONG_Q, RATIONALE_HEADING, WHY_Q

    assert HOW_LONG_Q.search("How long must the EU declaration of conformity be kept?")
    assert HOW_LONG_Q.search("to whom do we report it and within how many days?")
    assert not HOW_LONG_Q.search("How must providers keep the documentation?")
    assert DURATION.search("for a period ending 10 years after") and DURATION.search("of at least six months")
    assert not DURATION.search("from 2 August 2026")
    assert WHY_Q.search("Why does the Commission consider scraping so harmful?")
    assert RATIONALE_HEADING.search("6.1. Rationale and objectives")


def test_new_features_are_fitted_without_moving_the_kept_scores():
    from aiact.evals.fit_ranker import fit_new_features
    from assistant.candidates import Candidate
    from assistant.rank import Ranker

    kept = Ranker(tuple(1.0 if n == "dense" else 0.0 for n in NAMES), -1.0, {})
    p = _s("Article 1", "binding law", 0.5).provision
    rows = [(Candidate(p, features={"dense": d, "rationale_for_why": r}), float(label))
            for d, r, label in [(0.9, 0, 1), (0.2, 0, 0), (0.3, 1, 1), (0.8, 0, 0), (0.1, 1, 1), (0.5, 0, 0)]]
    weights, intercept = fit_new_features([("q", (), rows)], kept, ["rationale_for_why"])
    by_name = dict(zip(NAMES, weights))
    assert intercept == -1.0 and by_name["dense"] == 1.0  # the kept model is untouched
    assert by_name["rationale_for_why"] > 0  # the new feature marks gold passages here


def test_a_deleted_stub_is_recognised_and_a_live_paragraph_is_not():
    from assistant.candidates import is_deleted_stub

    def p(text: str, amendment: str = "deleted") -> Provision:
        return Provision(document="AI Act", reference="Article 10(5)", title="", text=text, url="",
                         kind="binding law", version="v", source="s", path=(), amendment=amendment)

    assert is_deleted_stub(p("5. [Deleted by Regulation (EU) 2026/1744, Article 1, point (9)(b)]"))
    assert is_deleted_stub(p("(a) [Deleted by Regulation (EU) 2026/1744, Article 1, point (3)]"))
    # the wording before the Omnibus deleted it is text, and one only replaced is no stub
    assert not is_deleted_stub(p("5. To the extent that it is strictly necessary for the purpose of …"))
    assert not is_deleted_stub(p("5. [Deleted by Regulation (EU) 2026/1744]", amendment="replaced"))


@pytest.mark.slow
def test_a_deleted_stub_is_no_candidate_unless_the_question_names_it(real_assistant):
    """'Does the AI Act replace the GDPR?' once led with Article 10(5), which the Omnibus deleted:
    its stub says nothing. Asked by name, the provision is still found (and its deletion said)."""
    import datetime as dt

    from assistant.candidates import gather, is_deleted_stub

    day = dt.date(2026, 11, 24)
    found = gather(real_assistant.retriever, "does the ai act replace the gdpr?", day, True)
    assert found.candidates and not any(is_deleted_stub(c.provision) for c in found.candidates.values())
    named = gather(real_assistant.retriever, "What does Article 10(5) say?", day, True)
    assert any(c.provision.reference == "Article 10(5)" for c in named.candidates.values())


@pytest.mark.slow
def test_a_fine_question_reaches_the_amount_of_article_99(real_assistant):
    """'How much is the fine if …' names the duty, whose provisions share more of its words than
    Article 99: the provisions stating an amount are searched on their own too."""
    import datetime as dt

    question = "worst-case fine for a big company whose tool reads employees' emotions at work?"
    found = real_assistant.retriever.retrieve(question, dt.date(2026, 11, 24))
    assert "Article 99(3)" in [s.provision.reference for s in found.results[:5]]


def test_date_questions_the_answer_does_not_read_as_when_still_search_the_dates():
    from assistant.candidates import asks_when

    for question in ("Did the Omnibus postpone the high-risk deadlines? To when?",
                     "what are the main deadlines coming up", "Does the nudify ban already apply?",
                     "when must we be compliant with the high-risk requirements?",
                     "Did the Omnibus delay the GPAI rules?", "so the annex III stuff is pushed to december 2027?",
                     "When does Article 50 apply?"):
        assert asks_when(question), question
    for question in ("What must a provider do when it finds its high-risk system is not compliant anymore?",
                     "Our chatbot invents fake deadlines so people sign up for loans.",
                     "Must incidents be reported without undue delay?", "Do deep fakes have to be labelled?"):
        assert not asks_when(question), question


@pytest.mark.slow
def test_a_question_about_a_postponement_reaches_the_date_of_application(real_assistant):
    """'Were the high-risk deadlines postponed?', 'Is the ban … already applicable?' ask for a date
    without 'when': the dated provisions are searched as for a 'when' question, so the points of
    Article 113 setting the dates of application come up."""
    import datetime as dt

    for question in ("Were the high-risk deadlines postponed?", "Is the ban on social scoring already applicable?"):
        found = real_assistant.retriever.retrieve(question, dt.date(2026, 11, 24))
        assert any(s.provision.reference.startswith("Article 113(") for s in found.results[:5]), question


def test_the_paragraph_opening_a_rules_explanation_replaces_the_last_of_its_neighbours():
    # "Must AI-generated images be marked?": Article 50(2) leads, two paragraphs from different
    # subsections of its explanation follow; the paragraph opening that explanation (para. 54,
    # 'Article 50(2) AI Act requires providers … to implement technical solutions …') is sixth.
    section = "4 ARTICLE 50(2) AI ACT: MARKING AND DETECTION OF AI-GENERATED OR MANIPULATED CONTENT"
    agents, generation = (section, "4.1 Main components", "4.1.2 Modalities"), (section, "4.1 Main components", "4.1.1 Generation")
    rule = Scored(_s("Article 50(2)", "binding law", 0.98).provision, 0.98, 0.5, "retrieved", {"dense": 0.5})
    opening = _g("para. 54", (section,), 0.29, 0.61)
    ranked = [rule, _g("para. 63", agents, 0.9), Scored(_s("Article 50(4)", "binding law", 0.78).provision, 0.78, 0.5,
                                                          "retrieved", {"dense": 0.5}),
              _g("para. 58", generation, 0.41), Scored(_s("Article 111(4)", "binding law", 0.37).provision, 0.37, 0.5,
                                                       "retrieved", {"dense": 0.5}), opening]
    opens = lambda p: p.reference == "para. 54"  # noqa: E731 (what opens_explanation reads from the corpus)
    question, params = "Must AI-generated images be watermarked?", {"slots": 3, "explained_opening": 2}
    refs = lambda out: [s.provision.reference for s in out[:5]]  # noqa: E731
    assert refs(cover(ranked, question, params, opens)) == [
        "Article 50(2)", "para. 63", "Article 50(4)", "para. 54", "Article 111(4)"]
    # Off, without the test, or with fewer explaining paragraphs than the setting asks: as before.
    assert "para. 54" not in refs(cover(ranked, question, dict(params, explained_opening=0), opens))
    assert "para. 54" not in refs(cover(ranked, question, params))
    assert "para. 54" not in refs(cover(ranked, question, dict(params, explained_opening=3), opens))
    # Paragraphs of one subsection answer the part of the rule it is about: they are kept.
    same = [ranked[0], _g("para. 63", agents, 0.9), ranked[2], _g("para. 64", agents, 0.41), ranked[4], opening]
    assert "para. 54" not in refs(cover(same, question, params, opens))
    # A question naming its provision is answered by it, not by the explanation's summary.
    named = [Scored(rule.provision, 0.98, 0.5, "reference", {"dense": 0.5, "named_subject": 1.0})] + ranked[1:]
    assert "para. 54" not in refs(cover(named, "Article 50(2) marking of images", params, opens))


@pytest.mark.slow
def test_the_opening_of_a_rules_explanation_is_read_from_the_guidelines(real_assistant):
    from assistant.candidates import opens_explanation

    by_ref = {(p.document, p.reference): p for p in real_assistant.store.provisions.values()}
    prohibited, transparency = "Guidelines on prohibited AI practices", "Guidelines on transparency (Article 50)"
    opens = lambda doc, ref: opens_explanation(real_assistant.retriever, by_ref[(doc, ref)])  # noqa: E731
    assert opens(prohibited, "para. 239")  # '(239) Article 5(1)(f) AI Act prohibits AI systems to infer emotions …'
    assert opens(transparency, "para. 54")
    assert not opens(prohibited, "para. 254")  # what a 'workplace' is: one notion of the rule
    assert not opens(prohibited, "para. 240")
    assert not opens(prohibited, "Article 5(1) (f) AI Act provides:")  # the rule quoted, not explained
    assert not opens(transparency, "para. 41")  # opens the subsection on the exceptions only
    assert not opens(prohibited, "para. 1")


def test_the_opening_setting_is_chosen_on_dev_and_recorded():
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    coverage, meta = data["meta"]["coverage"], data["meta"]
    assert coverage.get("explained_opening", 0) in (0, 1, 2, 3)
    if "explained_opening" in coverage:
        assert meta["opening_command"] == "python -m aiact.evals.fit_ranker --opening-only"
        assert set(meta["opening_grid"]) == {"0", "1", "2", "3"}


def test_a_question_about_what_the_code_is_worth_does_not_ask_for_the_codes_text():
    from assistant.candidates import asked_kind, kind_weights

    status = "What is the legal effect of signing the code of practice for model providers?"
    assert asked_kind(status) is None and kind_weights(status)["code of practice"] == 0.75
    content = "What does the code of practice say about serious incident reporting?"
    assert asked_kind(content) == "code of practice" and kind_weights(content)["code of practice"] > 1.0


@pytest.mark.slow
def test_the_act_answers_what_signing_the_code_of_practice_gives(real_assistant):
    """Signing the code, its being voluntary, the presumption it gives: Article 53(4) says what the
    code is worth; the code's own measures answer what it says."""
    import datetime as dt

    day = dt.date(2026, 11, 24)
    for question in ("what do we get out of signing the gpai code of practice?",
                     "Can a provider rely on the GPAI code of practice to show it complies?"):
        found = real_assistant.retriever.retrieve(question, day)
        assert "Article 53(4)" in [s.provision.reference for s in found.results[:3]], question
    found = real_assistant.retriever.retrieve("What does the code of practice say about serious incident reporting?", day)
    assert found.results[0].provision.kind == "code of practice"
