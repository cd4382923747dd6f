"""Round 10: the exceptions a provision writes into its own duty (Article 50's obvious interaction,
standard editing and law-enforcement carve-outs, Article 5(1b), 5(1)(d) and 5(1)(g), 25(2) and
25(4), 43(4), and the duties Annex III point 2 is left out of) conclude the answer when a question
describes the excepted case — and only then; deep fakes asked about as legal or banned; 'is X
illegal under the AI Act?' read as a question on a tier."""
from __future__ import annotations

import datetime as dt

import pytest

from assistant.findings import Findings
from assistant.plan import normalise, parse

DAY = dt.date(2026, 12, 3)
FINDINGS = Findings()


def rule(question: str, day: dt.date = DAY):
    found = FINDINGS.scope(parse(normalise(question)).parts[0], day)
    return found[0] if found else None


@pytest.mark.parametrize("question,reference,words", [
    ("Our chatbot is obviously a bot with a robot avatar - do we still have to tell users?", "Article 50(1)", "unless this is obvious"),
    ("Undercover police use an AI chat agent with suspects. Must it say it is an AI?", "Article 50(1)", "authorised by law"),
    ("Does our spellchecking feature have to watermark its output?", "Article 50(2)", "standard editing"),
    ("Must the police label synthetic images they generate to investigate crimes?", "Article 50(2)", "criminal offences"),
    ("Do police using emotion recognition to investigate offences have to inform people?", "Article 50(3)", "permitted by law"),
    ("Is an AI that only changes the background of an intimate photo banned?", "Article 5(1b)", "does not increase the exposure"),
    ("Is an AI supporting human analysts with objective facts on a suspect banned?", "Article 5(1)(d)", "objective and verifiable facts"),
    ("Is labelling a lawfully acquired biometric dataset for the police prohibited?", "Article 5(1)(g)", "labelling or filtering"),
    ("The initial provider stated the system is not to be changed into a high-risk system: must it still hand over documentation?", "Article 25(2)", "clearly specified"),
    ("We release tools under an open-source licence on GitHub: do we need a written agreement with high-risk providers?", "Article 25(4)", "free and open-source licence"),
    ("Are pre-determined changes of a system that keeps learning a substantial modification?", "Article 43(4)", "pre-determined"),
    ("Do people have a right to an explanation of decisions made with AI in the electricity grid?", "Article 86(1)", "point 2"),
    ("Does a water utility have to do a FRIA for its Annex III point 2 system?", "Article 27(1)", "point 2 of Annex III"),
])
def test_the_exception_a_question_describes_concludes(question, reference, words):
    found = rule(question)
    assert found is not None and found.cites[0][1] == reference
    assert words in found.text and found.strength >= 4


@pytest.mark.parametrize("question", [
    "Do we have to tell users they are talking to a chatbot?",
    "Must our image generator watermark its outputs?",
    "do i need to label ai pics",
    "Does the ban on biometric categorisation cover inferring religion from faces?",
    "Do we need a written agreement with the company whose model we integrate into our high-risk system?",
    "Does a new conformity assessment apply after a substantial modification?",
])
def test_the_rule_without_its_excepted_case_is_not_excepted(question):
    found = rule(question)
    assert found is None or not any(w in found.text for w in (
        "unless this is obvious", "standard editing", "criminal offences", "labelling or filtering",
        "free and open-source licence", "pre-determined"))


def test_the_intimate_imagery_edit_rule_applies_with_the_prohibition():
    q = "Is an AI that only changes the brightness of an intimate photo prohibited manipulation?"
    assert rule(q) is not None and rule(q).text.startswith("No:")
    assert rule(q, dt.date(2026, 12, 1)) is None or "5(1b)" not in rule(q, dt.date(2026, 12, 1)).cites[0][1]


def test_a_deep_fake_asked_about_as_legal_is_answered_by_its_disclosure_duty():
    found = rule("is it legal to post a deep-fake video of a politician")
    assert found.cites[0][1] == "Article 50(4)" and "disclose" in found.text
    # intimate imagery of a real person is the prohibition's, not the disclosure duty's
    assert rule("Is a deepfake nude of my classmate illegal?") is None


@pytest.mark.parametrize("question", [
    "Is a deepfake nude of a classmate illegal under the AI Act?",
    "Are social scores for citizens banned in the EU?",
    "is emotion recognition at work allowed?",
])
def test_whether_a_thing_is_allowed_is_a_question_on_its_tier(question):
    assert parse(normalise(question)).intent == "classification"


@pytest.mark.parametrize("question", [
    "our fintech app matches a selfie 1:1 against the ID photo. is that high-risk biometrics under annex III??",
    "Our tool only converts scanned job applications into structured data fields. Is it high-risk under Annex III point 4?",
    "Campaign software that optimises canvassing routes — is that high-risk under the elections point of Annex III?",
    "Retail analytics: our cameras detect shoppers' emotions in stores. Prohibited under Article 5?",
    "A supermarket wants live facial recognition at its doors. Is that caught by the ban on real-time remote biometric identification?",
    "We scrape faces from public websites for a search engine. Any issue under the AI Act?",
])
def test_a_tier_asked_in_a_sentence_after_the_description(question):
    assert parse(normalise(question)).intent == "classification"




def test_a_point_limited_to_life_and_health_insurance_is_no_exception():
    from assistant.findings import EXCEPTION_WORDS
    assert not EXCEPTION_WORDS.search("in the case of life and health insurance")
    assert EXCEPTION_WORDS.search("with the exception of AI systems used for the purpose of detecting financial fraud")
    assert EXCEPTION_WORDS.search("This shall not include AI systems intended to be used for biometric verification")


def test_the_annex_i_route_gives_the_annex_i_date():
    part = parse(normalise("and from when do we have to comply with the high-risk rules?")).parts[0]
    general = FINDINGS.deadline(part, DAY)
    routed = FINDINGS.deadline(part, DAY, annex_i=True)
    assert "2 December 2027" in general[0].text
    assert "2 August 2028" in routed[0].text and not any("2 December 2027" in c.text for c in routed)


# -- the risk check's reading of descriptions (the procedure data) -------------------------------
@pytest.fixture(scope="module")
def assessor():
    from tests.test_assess import Corpus
    from types import SimpleNamespace
    from assistant.assess import Assessor
    from assistant.core import Assistant
    from aiact.corpus import load_corpus

    corpus = Corpus(load_corpus())
    fake = SimpleNamespace(today=DAY, retriever=corpus, settings=SimpleNamespace(max_question_chars=2000),
                           _reload_if_new=lambda: None)
    fake.provision = lambda ref, document="AI Act", as_of=None: corpus.in_force(document, ref, DAY)
    fake.assess = lambda d, facts=None, role=None: Assistant.assess(fake, d, facts, role)
    return lambda d: Assessor(fake, DAY).assess(d)


@pytest.mark.parametrize("description,outcome,excepted", [
    ("Users log in by taking a selfie that we match 1:1 against the photo on their ID card.", "minimal", "Annex III, point 1(a)"),
    ("We use ML to price motor (car) insurance premiums for individual drivers, like life and health insurance.", "minimal", "Annex III, point 5(c)"),
    ("Campaign software that optimises canvassing routes and volunteer scheduling.", "minimal", "Annex III, point 8(b)"),
])
def test_a_point_s_exception_or_limit_is_read(assessor, description, outcome, excepted):
    result = assessor(description)
    assert result.outcome == outcome and excepted in [e.reference for e in result.excepted]


@pytest.mark.parametrize("description,reference", [
    ("Our BNPL app uses one model both to detect fraud and to decide customers' credit limits.", "Annex III, point 5(b)"),
    ("Our gig platform allocates delivery jobs to couriers based on their ratings and past behaviour.", "Annex III, point 4(b)"),
])
def test_a_listed_use_is_read_and_not_lifted(assessor, description, reference):
    result = assessor(description)
    assert result.outcome == "high-risk" and result.citations[0].reference == reference


def test_marketing_text_is_not_the_public_interest_text_of_article_50_4():
    found = rule("Do we need to label AI-generated text in our marketing emails and product descriptions?")
    assert found.cites[0][1] == "Article 50(4)" and "public interest" in found.text and "50(2)" in found.text
    assert rule("Do we have to label AI-written news articles on public interest topics?") is None or \
        "Not under Article 50(4)" not in rule("Do we have to label AI-written news articles on public interest topics?").text


def test_place_based_crime_prediction_is_outside_the_ban_and_a_person_s_is_not():
    found = rule("police want a tool that predicts which street corners will be burglary hotspots. is that prohibited?")
    assert found.text.startswith("No") and found.cites[0][1] == "Article 5(1)(d)"
    assert "place-based" not in (rule("Is predictive policing that scores individuals on their personality traits banned?")
                                 or type("C", (), {"text": ""})).text


@pytest.mark.parametrize("question", [
    "We build a smart teddy bear that chats with kids. Is it a high-risk AI system because it's a toy?",
])
def test_a_tier_noun_asked_with_a_reason(question):
    assert parse(normalise(question)).intent == "classification"


def test_what_the_act_requires_is_an_obligations_question():
    assert parse(normalise("Our AI voice agent makes sales calls. What does the AI Act require?")).intent == "obligations"


def test_a_tier_noun_after_a_word_ending_like_a_preposition():
    # "depressi-on a high-risk system" is no "… on a high-risk system"
    assert parse(normalise("Is an AI therapy chatbot for depression a high-risk AI system?")).intent == "classification"
    assert parse(normalise("Is a risk management system required for a high-risk AI system?")).intent != "classification"


def test_an_open_source_premise_on_a_high_risk_model_leads_with_article_2_12():
    plan = parse(normalise("We release our credit scoring model under Apache 2.0 on GitHub. Are we fully exempt because it's open source?"))
    found = FINDINGS.premises(plan, DAY)
    assert found and found[0][1].cites[0][1] == "Article 2(12)"


@pytest.mark.parametrize("question,reference", [
    ("Which authority do I complain to if a company's AI system harmed me?", "Article 85"),
    ("Can the AI Office request documentation from a GPAI provider?", "Article 91(1)"),
    ("Who can designate a GPAI model as having systemic risk?", "Article 52(4)"),
])
def test_who_does_what_in_enforcement(question, reference):
    found = rule(question)
    assert found is not None and found.cites[0][1] == reference and found.strength >= 4


def test_who_sets_the_fines_and_third_country_authorities():
    plan = parse(normalise("Who decides the fines for breaking the AI Act in France?"))
    found = FINDINGS.penalty(plan.parts[0], DAY)
    assert found and found[0].cites[0][1] == "Article 99(1)"
    found = rule("Does the AI Act apply to a police force of a third country cooperating with Europol?")
    assert found.cites[0][1] == "Article 2(4)" and found.text.startswith("No")


def test_the_amount_worked_out_from_a_stated_turnover_comes_first():
    plan = parse(normalise("What's the maximum fine for using a banned AI practice if we're a startup with EUR 2 million turnover?"))
    found = FINDINGS.penalty(plan.parts[0], DAY)
    assert "140 000" in found[0].text and found[0].kind == "conclusion"


def test_a_date_stated_as_still_holding_is_a_premise():
    from assistant.findings import CUE
    assert CUE.search("Is the deadline for Annex III high-risk systems still August 2026?")
    assert not CUE.search("Is the deadline for Annex III high-risk systems in 2027?")
    assert parse(normalise("When do I need to have my AI literacy programme in place?")).intent == "deadline"
