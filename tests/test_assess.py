"""The risk check walks the Act's decision procedure: real procedure data, real corpus, no index."""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from assistant.assess import Assessor
from assistant.core import Assistant
from assistant.errors import InvalidQuestion
from assistant.procedure import load_procedure
from assistant.types import TIERS
from aiact.corpus import load_corpus
from aiact.evals.cases import OUTCOMES

DAY = dt.date(2026, 12, 2)


class Corpus:
    def __init__(self, provisions):
        self.by_ref = {}
        for p in provisions:
            if p.in_force_on(DAY):
                self.by_ref[(p.document, p.reference)] = p

    def in_force(self, document, reference, day):
        return self.by_ref.get((document, reference))


@pytest.fixture(scope="module")
def bot():
    corpus = Corpus(load_corpus())
    fake = SimpleNamespace(today=DAY, retriever=corpus, settings=SimpleNamespace(max_question_chars=2000),
                           _reload_if_new=lambda: None)  # no index to reload: the corpus is in memory
    fake.provision = lambda ref, document="AI Act", as_of=None: corpus.in_force(document, ref, DAY)
    fake.assess = lambda d, facts=None, role=None: Assistant.assess(fake, d, facts, role)
    return fake


def check(bot, description, facts=None, role=None):
    return Assessor(bot).assess(description, facts, role)


@pytest.mark.parametrize("description, outcome, reference", [
    # the issue's own examples
    ("Live face identification by the police in a public space", "prohibited", "Article 5(1)(h)"),
    ("A customer-service chatbot on our website that answers questions about orders.", "limited", "Article 50(1)"),
    ("Our bank uses AI to detect fraudulent card transactions and block them.", "minimal", None),
    ("Our AI prices car insurance for each driver from their driving record.", "minimal", None),
    ("A camera that detects drowsiness in truck drivers and sounds an alarm.", "minimal", None),
    ("A spam filter for our company's email.", "minimal", None),
    ("Our AI software detects tumours in CT scans; it is a medical device under the MDR, class IIb.", "high-risk",
     "Article 6(1)"),
    ("What is the capital of France?", "no system", "Article 3(1)"),
    # the rest of the routes
    ("We rank job applicants' CVs for recruiters.", "high-risk", "Annex III, point 4(a)"),
    ("Our software sends a reminder when an invoice is overdue, following rules our accountants wrote.",
     "not an AI system", "Recital 12"),
    ("We develop AI targeting software exclusively for the army's military operations.", "out of scope", "Article 2(3)"),
    ("We train a large language model and offer it to other companies through an API.", "general-purpose AI model",
     "Article 53(1)"),
    ("Our app undresses any photo of a person into a realistic nude image, without asking them.", "prohibited",
     "Article 5(1)(ba)"),
])
def test_outcomes_and_deciding_provision(bot, description, outcome, reference):
    a = check(bot, description)
    assert a.outcome == outcome, a.text
    assert a.tier == (outcome if outcome in TIERS else None)
    if reference:
        assert a.citations[0].reference == reference
        assert a.text.startswith(("Risk tier: **", "Outcome: **")) and "[1]" in a.text.split("\n")[0]


def test_chatbot_is_limited_for_both_roles_with_the_duty_of_each(bot):
    text = "A customer-service chatbot on our website."
    provider, deployer = check(bot, text, role="provider"), check(bot, text, role="deployer")
    assert provider.outcome == deployer.outcome == "limited"
    duty = next(o for o in provider.obligations if o.reference == "Article 50(1)")
    assert duty.applies_from == "2 August 2026" and duty.actor == "provider"
    assert not any(o.reference.startswith("Article 50") for o in deployer.obligations)  # the provider's duty


def test_an_exception_nobody_stated_is_asked_not_guessed(bot):
    a = check(bot, "An app that infers employees' emotions from webcam video during meetings.")
    assert a.outcome == "prohibited"
    assert [o.fact for o in a.open_questions] == ["medical_or_safety_reasons"]
    assert a.open_questions[0].then == "high-risk" and a.open_questions[0].then_reference == "Annex III, point 1(c)"
    assert any("medical or safety" in x for x in a.assumptions)
    assert a.confidence < 0.9
    # the caller answers it: the exception applies, the system is high-risk (Annex III, point 1(c))
    b = check(bot, a.description, facts={"medical_or_safety_reasons": "yes"})
    assert b.outcome == "high-risk" and b.citations[0].reference == "Annex III, point 1(c)"
    assert "Not prohibited under Article 5(1)(f): the exception applies" in b.text
    assert {"medical_or_safety_reasons": True}.items() <= {f.name: f.value for f in b.facts}.items()


def test_article_6_3_lifts_annex_iii_unless_profiling_and_must_be_documented(bot):
    a = check(bot, "Our software only schedules job interviews between candidates and recruiters.", role="provider")
    assert a.outcome == "minimal"
    assert "Article 6(3)" in [c.reference for c in a.citations]
    assert any(o.reference == "Article 6(4)" for o in a.obligations)
    b = check(bot, a.description, facts={"profiling": True}, role="provider")
    assert b.outcome == "high-risk"


def test_high_risk_obligations_by_role_with_dates(bot):
    a = check(bot, "We use an AI system that ranks job applicants' CVs.", role="deployer")
    assert a.outcome == "high-risk" and a.role == "deployer"
    assert ("Article 26(1)", "2 December 2027") in [(o.reference, o.applies_from) for o in a.obligations]
    assert not any(o.reference.startswith("Article 16") for o in a.obligations)
    annex_i = check(bot, "Our AI controls the emergency stop of a machine; a notified body certifies it.",
                    role="provider")
    assert annex_i.outcome == "high-risk"
    assert {o.applies_from for o in annex_i.obligations if o.actor == "provider"} == {"2 August 2028"}


def test_facts_carry_the_words_they_came_from(bot):
    a = check(bot, "Police use our real-time face recognition in the train station.")
    read = {f.name: f for f in a.facts}
    assert read["real_time"].words == "real-time" and read["real_time"].source == "description"
    assert read["law_enforcement"].words == "Police"
    assert a.to_dict()["facts"][0].keys() >= {"name", "value", "source", "words", "question", "reference"}


def test_contract_keys_and_old_call_form(bot):
    a = Assistant.assess(bot, "A customer-service chatbot on our website.", "deployer")  # assess(description, role)
    d = a.to_dict()
    assert list(d)[:4] == ["description", "tier", "answer", "citations"]
    assert {"outcome", "facts", "assumptions", "open_questions", "obligations", "confidence"} <= set(d)
    assert a.role == "deployer" and d["tier"] == "limited"
    none = Assistant.assess(bot, "How many days are in a leap year?").to_dict()
    assert none["tier"] is None and none["outcome"] == "no system"


def test_bad_facts_and_roles_get_one_clear_line(bot):
    with pytest.raises(InvalidQuestion, match="Unknown fact 'nope'"):
        check(bot, "A chatbot.", facts={"nope": "yes"})
    with pytest.raises(InvalidQuestion, match="must be yes or no"):
        check(bot, "A chatbot.", facts={"real_time": "maybe"})
    with pytest.raises(InvalidQuestion, match="Unknown role"):
        check(bot, "A chatbot.", role="owner")


def test_the_procedure_covers_the_act_and_names_no_tier_in_code():
    proc = load_procedure(DAY)
    refs = {r.reference for r in proc.rules}
    for point in "a b ba bb c d e f g h".split():
        assert f"Article 5(1)({point})" in refs
    for point in ("1(a) 1(b) 1(c) 2 3(a) 3(b) 3(c) 3(d) 4(a) 4(b) 5(a) 5(b) 5(c) 5(d) 6(a) 6(b) 6(c) 6(d) 6(e) "
                  "7(a) 7(b) 7(c) 7(d) 8(a) 8(b)").split():
        assert f"Annex III, point {point}" in refs
    assert {"Article 6(1)", "Article 6(3)", "Article 50(1)", "Article 50(2)", "Article 50(3)", "Article 50(4)",
            "Article 53(1)", "Article 51(2)", "Article 2(3)", "Article 2(6)", "Article 2(10)"} <= refs
    assert {r.outcome for r in proc.rules if r.outcome} <= set(OUTCOMES)
    # before 2 December 2026 the Omnibus prohibitions are not yet law
    assert "Article 5(1)(ba)" not in {r.reference for r in load_procedure(dt.date(2026, 11, 1)).rules}
    code = open("assistant/assess.py", encoding="utf-8").read()
    assert not re.search(r"\"(prohibited|high-risk|limited|minimal)\"", code)


def test_ui_examples_are_right(bot):
    from aiact.ui.app import CHECK_EXAMPLES

    expected = {"CV ranking for recruiters": "high-risk", "Customer-service chatbot": "limited",
                "Face recognition in the street": "prohibited", "Emotion recognition at work": "prohibited",
                "Spam filter": "minimal", "AI in a medical device": "high-risk",
                "Invoice reminders (not AI)": "not an AI system"}
    assert set(CHECK_EXAMPLES) == set(expected)
    for label, (description, role) in CHECK_EXAMPLES.items():
        a = check(bot, description, role=None if role == "not sure" else role)
        assert a.outcome == expected[label], label
        assert a.citations, label


def test_guided_check_prefills_and_updates(bot):
    from aiact.ui import check as guided

    result, asked = guided.run(bot, "An app that infers employees' emotions from webcam video.", "deployer", [], [])
    assert result.outcome == "prohibited"
    by_fact = {q.fact: q for q in asked}
    assert by_fact["emotion_inference"].answer == "yes" and "read from" in by_fact["emotion_inference"].hint
    assert by_fact["medical_or_safety_reasons"].answer == "not sure"
    values = ["yes" if q.fact == "medical_or_safety_reasons" else q.answer for q in asked]
    again, asked2 = guided.run(bot, result.description, "deployer", asked, values)
    assert again.outcome == "high-risk"
    assert [q.fact for q in asked2][:len(asked)] == [q.fact for q in asked]  # the form keeps its order
    assert "Article 5(1)(f)" in guided.provision_html(bot, "Article 5(1)(f)")
    md = again.to_markdown()
    assert md.startswith("# AI Act check: high-risk") and "## Answers" in md and "[1] AI Act" in md


@pytest.mark.parametrize("description, reference", [
    # Article 5 practices told in everyday words, none of the Act's own terms
    ("A landlord app that rates tenants from their social-media and political posts and turns down those "
     "with a poor rating.", "Article 5(1)(c)"),
    ("Police officers' cameras scan the faces of everyone walking through the square live and compare them "
     "with the wanted list.", "Article 5(1)(h)"),
    ("Our pop-up shows a fake countdown so shoppers panic and buy insurance they cannot afford.", "Article 5(1)(a)"),
    ("The app picks out teenagers who seem lonely and pushes them to spend their pocket money on gems.",
     "Article 5(1)(b)"),
    ("Upload a photo of your ex and our bot shows her with no clothes on.", "Article 5(1)(ba)"),
    ("We sell a nudify app.", "Article 5(1)(ba)"),  # the product's own name says what it makes
    ("An undressing bot for group chats.", "Article 5(1)(ba)"),
    ("The tool marks which young people will turn to crime, from nothing but their family background.",
     "Article 5(1)(d)"),
    ("We grab every profile picture we can from social networks to grow our face search engine.",
     "Article 5(1)(e)"),
    ("Our dashboard tells team managers which call-centre agents sound annoyed on calls.", "Article 5(1)(f)"),
    ("From a selfie our app tells whether someone is lesbian.", "Article 5(1)(g)"),
])
def test_article_5_practices_in_everyday_words(bot, description, reference):
    a = check(bot, description)
    assert a.outcome == "prohibited", (description, [f.name for f in a.facts])
    assert a.citations[0].reference == reference
    assert any(f.source == "description" and f.words for f in a.facts)  # the words it was read from


def test_synonyms_are_read_like_cues_and_are_data():
    from assistant.law import load_law

    procedure = load_procedure(DAY)
    law = load_law()
    with_synonyms = [f for f in law.facts if f.get("kind") == "question" and f.get("synonyms")]
    assert {f.id for f in with_synonyms} >= {"social_scoring", "remote_biometric_identification", "emotion_inference"}
    for f in with_synonyms:
        patterns = {p.pattern for p in procedure.questions[f.id].cues}
        assert set(f.get("synonyms")) <= patterns
    # every Article 5 rule has everyday paraphrases for the closeness signal
    assert all(r.paraphrases for r in procedure.rules if r.step == "article_5")


class PracticeEmbedder:
    """A fake embedder for the closeness signal: texts sharing a marked word are close."""

    def __init__(self, word: str):
        self.word = word

    def embed_documents(self, texts):
        return [[1.0, 0.0, 0.0] if self.word in t.lower() else [0.0, 1.0, 0.0] for t in texts]

    def embed_query(self, text):
        return [1.0, 0.0, 0.0] if self.word in text.lower() else [0.0, 0.0, 1.0]


def test_close_to_a_practice_but_unconfirmed_asks_rather_than_minimal(bot):
    # "score" is in 5(1)(c)'s paraphrases; the description's own words trigger no cue
    near_bot = SimpleNamespace(**vars(bot), embedder=PracticeEmbedder("score"))
    text = "Our neighbourhood app keeps a score of each household."
    assert check(bot, text).outcome == "minimal"  # no embedder: cues only
    a = check(near_bot, text)
    assert a.outcome == "undecided" and a.tier is None
    assert a.citations[0].reference == "Article 5(1)(c)"
    assert [(o.fact, o.then) for o in a.open_questions] == [("social_scoring", "prohibited")]
    assert a.to_dict()["tier"] is None
    # answering the question decides it either way
    assert check(near_bot, text, {"social_scoring": "no"}).outcome == "minimal"
    assert check(near_bot, text, {"social_scoring": "yes"}).outcome == "prohibited"
    # a description far from every practice is not asked about
    assert check(near_bot, "A spam filter for our company's email.").outcome == "minimal"


def test_business_credit_is_not_annex_iii_5b(bot):
    assert check(bot, "Our AI scores small businesses' loan applications from their accounts.").outcome == "minimal"
    assert check(bot, "Our AI scores loan applicants from their payment history.").outcome == "high-risk"


def test_guided_check_asks_the_close_practice_and_decides_on_the_answer(bot):
    from aiact.ui import check as guided

    near_bot = SimpleNamespace(**vars(bot), embedder=PracticeEmbedder("score"))
    near_bot.assess = lambda d, facts=None, role=None: Assistant.assess(near_bot, d, facts, role)
    text = "Our neighbourhood app keeps a score of each household."
    result, asked = guided.run(near_bot, text, "provider", [], [])
    assert result.outcome == "undecided" and "Undecided" in guided.outcome_html(result)
    by_fact = {q.fact: q for q in asked}
    assert by_fact["social_scoring"].answer == "not sure" and "prohibited" in by_fact["social_scoring"].hint
    values = ["yes" if q.fact == "social_scoring" else q.answer for q in asked]
    again, _ = guided.run(near_bot, text, "provider", asked, values)
    assert again.outcome == "prohibited"


def test_annex_iii_uses_in_everyday_words(bot):
    assert check(bot, "Our AI decides who gets into our university's programmes.").citations[0].reference == \
        "Annex III, point 3(a)"
    assert check(bot, "Our HR tool rates staff from their chat messages and the scores decide promotions.").outcome \
        == "high-risk"


def test_article_50_never_masks_annex_iii_and_applies_on_top(bot):
    """A chatbot that also decides on loans is high-risk by Annex III 5(b); its Article 50(1) duty
    is added, not concluded instead."""
    risk = check(bot, "A chatbot for our bank's website that also decides whether to grant customers a personal loan.")
    refs = [c.reference for c in risk.citations]
    assert risk.tier == "high-risk" and refs[0] == "Annex III, point 5(b)" and "Article 50(1)" in refs


@pytest.mark.parametrize("description", [
    "An AI toy that talks to children.",
    "An AI teddy bear that chats with children and tells them bedtime stories.",
])
def test_an_annex_i_product_in_everyday_words_brings_in_the_annex_i_questions(bot, description):
    risk = check(bot, description)
    assert risk.tier == "limited"  # it talks to children: Article 50(1)
    opened = {o.fact: o for o in risk.open_questions}
    assert opened["annex_i_product"].then == "high-risk" and opened["annex_i_product"].then_reference == "Article 6(1)"
    # answering them decides the Annex I route
    assert check(bot, description, {"annex_i_product": "yes", "third_party_assessment": "yes"}).tier == "high-risk"
    assert check(bot, description, {"annex_i_product": "yes", "third_party_assessment": "no"}).tier == "limited"
    # a description with no product of an Annex I kind is not asked about it
    assert "annex_i_product" not in {o.fact for o in check(bot, "A customer-service chatbot on our website.").open_questions}


@pytest.mark.parametrize("description", [
    "Our AI software reads patients' ECG traces and tells the cardiologist whether they have atrial fibrillation.",
    "The AI in our warehouse forklifts brakes automatically when a worker steps in front of them.",
    "Software that keeps a car in its lane and steers it back when the driver drifts.",
])
def test_annex_i_safety_functions_in_everyday_words_are_high_risk(bot, description):
    risk = check(bot, description)
    assert risk.tier == "high-risk" and risk.citations[0].reference == "Article 6(1)"
    assert "third_party_assessment" in {o.fact for o in risk.open_questions} or \
        any("third-party" in a for a in risk.assumptions)


def test_customers_emotions_are_not_the_workplace(bot):
    """Article 5(1)(f) needs the workplace or education: reading callers' emotions in a call centre
    is emotion recognition (Annex III 1(c)), not the prohibition; the agents' emotions are."""
    callers = check(bot, "Our call-centre software reads callers' emotions from their voice and routes angry customers to senior staff.")
    assert callers.tier == "high-risk" and callers.citations[0].reference == "Annex III, point 1(c)"
    agents = check(bot, "Our call-centre software reads our agents' emotions from their voice during calls.")
    assert agents.tier == "prohibited"
    # the workers' emotions beside the customers' are still the workplace
    both = check(bot, "Managers see the stress levels of their employees and the moods of customers on one dashboard.")
    assert both.tier == "prohibited"


def test_a_prohibition_not_yet_applicable_is_the_outcome_from_its_day(bot):
    """The day before Article 5(1)(ba) applies (Article 113(a)), the check says what the law is that
    day and what it is from the next: never a bare 'minimal'. The day after, the prohibition itself."""
    before = Assessor(bot, dt.date(2026, 12, 1)).assess("A nudify app", None, None)
    assert before.tier == "minimal"
    assert [u.to_dict() for u in before.upcoming] == [
        {"from": "2026-12-02", "outcome": "prohibited", "reference": "Article 5(1)(ba)", "dated_by": "Article 113(a)"}]
    first = before.text.split("\n\n")[0]
    assert "until 1 December 2026" in first and "prohibited from 2 December 2026" in first
    assert before.citations[0].reference == "Article 5(1)(ba)"
    assert before.to_dict()["upcoming"][0]["outcome"] == "prohibited"
    after = Assessor(bot, dt.date(2026, 12, 3)).assess("A nudify app", None, None)
    assert after.tier == "prohibited" and after.upcoming == ()
    assert after.citations[0].reference == "Article 5(1)(ba)"
    # nothing that a later rule changes: no upcoming outcome
    assert Assessor(bot, dt.date(2026, 12, 1)).assess("A spam filter for our company's email.", None, None).upcoming == ()
