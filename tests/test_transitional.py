"""The period a system or model was placed on the market, read against Article 111's cut-off
dates in the law data; the duty that a specific question asks for (registration) leading; two
subjects of one deadline question both dated. Fast: the law data and the plan only."""
from __future__ import annotations

import datetime as dt

import pytest

from assistant.core import clean_text
from assistant.findings import Findings
from assistant.plan import normalise, parse, placed_period

TODAY = dt.date(2026, 11, 24)


def part_of(question: str):
    text, _ = clean_text(question, 2000)
    return parse(normalise(text)).parts[0]


@pytest.fixture(scope="module")
def findings():
    return Findings()


@pytest.mark.parametrize("question, period", [
    ("We released our foundation model in June 2025.", (dt.date(2025, 6, 1), dt.date(2025, 6, 30))),
    ("Our image tool has been on the market since 2025.", (dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
    ("a generator launched in spring 2026", (dt.date(2026, 3, 1), dt.date(2026, 5, 31))),
    ("models placed on the market before 2 August 2025", (dt.date.min, dt.date(2025, 8, 1))),
    ("models placed on the market after August 2025", (dt.date(2025, 9, 1), dt.date.max)),
    ("When do the GPAI rules apply in 2026?", None),  # a date asked about, not a launch
])
def test_the_placed_on_the_market_period(question, period):
    assert placed_period(question) == period


def test_a_model_on_the_market_before_the_cut_off_gets_article_111_3(findings):
    c = findings.deadline(part_of("We released our foundation model in June 2025. By when must we comply "
                                  "with the GPAI rules?"), TODAY)
    assert c[0].cites[0] == ("AI Act", "Article 111(3)") and "2 August 2027" in c[0].text


def test_a_model_placed_after_the_cut_off_gets_the_general_gpai_date(findings):
    c = findings.deadline(part_of("By when did providers of GPAI models placed on the market after August 2025 "
                                  "have to comply?"), TODAY)
    assert c[0].cites[0] == ("AI Act", "Article 113(b)") and "2 August 2025" in c[0].text


def test_a_generator_on_the_market_since_2025_is_marked_by_2_december_2026(findings):
    part = part_of("Our genAI image tool has been on the market since 2025. When must its outputs be "
                   "watermarked under Article 50(2)?")
    assert part.intent == "deadline"
    c = findings.deadline(part, TODAY)
    assert c[0].cites[0] == ("AI Act", "Article 111(4)") and "2 December 2026" in c[0].text
    new = findings.deadline(part_of("when does the watermarking duty apply to an image generator launched "
                                    "in 2027?"), TODAY)
    assert "2 August 2026" in new[0].text and new[0].cites[0] == ("AI Act", "Article 113")


def test_a_public_authoritys_legacy_system_has_until_2030(findings):
    c = findings.deadline(part_of("We're a city council and have used an AI tool for benefit decisions since "
                                  "2025. By when must it meet the high-risk requirements?"), TODAY)
    assert "2 August 2030" in c[0].text and c[0].cites[0] == ("AI Act", "Article 111(2)")


def test_the_cut_off_of_article_111_2_is_the_chapter_iii_date(findings):
    legacy = findings.law.get("dates", "legacy-high-risk", TODAY)
    assert findings.cutoff(legacy, TODAY) == dt.date(2027, 12, 2)


@pytest.mark.parametrize("question, lead", [
    ("Do we need to register our high-risk AI system in the EU database?", "Article 49(1)"),
    ("Do we need to register an Annex III system we concluded is not high-risk under Article 6(3)?", "Article 49(2)"),
    ("we think our Annex III system isn't high-risk because of Article 6(3) - what do we have to do?", "Article 6(4)"),
])
def test_the_registration_duty_the_question_asks_leads(findings, question, lead):
    part = part_of(question)
    assert part.intent == "obligations"
    c = findings.obligations(part, TODAY)
    assert c and c[0].cites[0][1] in (lead, "Article 6(4)", "Article 49(2)") and lead in [r for _, r in c[0].cites]


def test_registering_a_company_is_no_ai_act_duty(findings):
    assert findings.obligations(part_of("What do we need to register a limited company in Ireland?"), TODAY) == []


def test_two_subjects_of_one_deadline_question_are_both_dated_in_the_order_asked(findings):
    c = findings.deadline(part_of("What are the deadlines for GPAI obligations and for Commission fines on "
                                  "GPAI providers?"), TODAY)
    assert "2 August 2025" in c[0].text and "2 August 2026" in c[1].text
    one = findings.deadline(part_of("When can the Commission fine GPAI providers?"), TODAY)
    assert len([x for x in one if x.kind == "conclusion"]) == 1


@pytest.mark.parametrize("question, opening, words", [
    ("Can real-time remote biometric identification be used to look for a missing child?",
     "Only in so far as it is strictly necessary", "missing persons"),
    ("Can the police use live facial recognition to prevent a terrorist attack?",
     "Only in so far as it is strictly necessary", "terrorist attack"),
    ("For which suspects may real-time remote biometric identification be used?", "Only for", "at least four years"),
    ("Is real-time remote biometric identification by police banned?", "Prohibited, with narrow exceptions",
     "strictly necessary"),
])
def test_an_exception_a_prohibition_writes_concludes_with_its_safeguards(findings, question, opening, words):
    c = findings.scope(part_of(question), TODAY)
    assert c[0].text.startswith(opening) and words in c[0].text and c[0].cites[0] == ("AI Act", "Article 5(1)(h)")
    assert c[-1].kind == "condition" and ("AI Act", "Article 5(3)") in c[-1].cites


def test_a_shops_facial_recognition_is_not_read_as_the_police_exception(findings):
    assert not findings.scope(part_of("Is live facial recognition in our shop banned?"), TODAY)


@pytest.mark.parametrize("question, lead", [
    ("do we need a human in the loop for our high risk ai", "Article 14(1)"),
    ("we're rolling out a high-risk AI tool for staff scheduling, do we have to tell the workers first?", "Article 26(7)"),
    ("chatgpt style model, do we need to publish what data we trained on?", "Article 53(1)(d)"),
    ("copyright: what do gpai providers have to do about text and data mining opt-outs", "Article 53(1)(c)"),
    ("do AI-generated texts need a watermark", "Article 50(2)"),
])
def test_a_single_duty_asked_by_its_own_words_leads_with_its_paragraph(findings, question, lead):
    part = part_of(question)
    assert part.intent == "obligations"
    assert findings.obligations(part, TODAY)[0].cites[0] == ("AI Act", lead)


def test_a_deployer_asking_about_oversight_gets_its_own_duty(findings):
    c = findings.obligations(part_of("What must deployers do about human oversight?"), TODAY)
    assert c[0].cites[0] == ("AI Act", "Article 26(2)")


@pytest.mark.parametrize("question, document", [
    ("are the guidelines binding?", None),
    ("Are the Commission's prohibited practices guidelines binding?", "Guidelines on prohibited AI practices"),
    ("are the high-risk classification guidelines legally binding", "Draft guidelines on high-risk classification"),
])
def test_whether_guidelines_bind_is_answered_by_their_own_words(findings, question, document):
    part = part_of(question)
    assert part.intent == "soft_law"
    c = findings.soft_law(part, TODAY)
    assert "not binding" in c[0].text and len(c[0].cites) <= 3 and len(c) == 1  # no code-of-practice clause
    assert document is None or c[0].cites[0][0] == document


def test_a_product_described_with_any_rules_is_a_classification():
    part = part_of("we sell an ai tool that picks which loan apps get approved - any rules?")
    assert part.intent == "classification"


def test_the_verdict_answers_any_rules_in_its_terms():
    from assistant.findings import limited_verdict, verdict

    assert verdict("we sell an ai tool that picks loan apps - any rules?", False).startswith("Yes, the high-risk rules")
    assert limited_verdict("we build a chatbot for customer support, any rules?").startswith("Yes, a transparency duty")
    assert verdict("Is my CV tool high-risk?", False) == "Likely yes:"


def test_a_model_too_late_for_the_transitional_rule_is_told_why(findings):
    c = findings.deadline(part_of("Our general-purpose model was published on our website in September 2025. "
                                  "Do we get until August 2027 to comply?"), TODAY)
    assert "2 August 2025" in c[0].text and c[0].cites[0] == ("AI Act", "Article 113(b)")
    assert c[1].cites[0] == ("AI Act", "Article 111(3)") and "only for" in c[1].text


@pytest.mark.parametrize("question", [
    "We open-sourced our 7B language model in May 2025 - when do the GPAI obligations bind us?",
    "We made our model publicly available in March 2025. By when must we comply?",
])
def test_other_words_for_placing_on_the_market(question):
    assert part_of(question).placed is not None


def test_two_subjects_of_one_scope_question_get_a_rule_each(findings):
    c = findings.scope(part_of("Does the AI Act apply to AI used for scientific research, and to AI in the military?"),
                       TODAY)
    assert [x.cites[0][1] for x in c] == ["Article 2(6)", "Article 2(3)"]
    one = findings.scope(part_of("Does the AI Act apply to AI used only for research?"), TODAY)
    assert len(one) == 1


def test_a_transitional_rule_applies_only_to_its_own_subject(findings):
    hiring = findings.deadline(part_of("Our app was launched in 2023 and uses AI to rank job applicants. "
                                       "When do we have to comply?"), TODAY)
    assert hiring[0].cites[0] == ("AI Act", "Article 111(2)")  # not the GPAI rule for 'launched in'
    assert any("2 December 2027" in c.text for c in hiring if c.kind == "condition")
    bot = findings.deadline(part_of("Our chatbot went live in 2024 - when must it tell users they talk to an AI?"),
                            TODAY)
    assert "2 August 2026" in bot[0].text  # Article 111(4) is for the marking duty of 50(2) only


@pytest.mark.parametrize("question, lead", [
    ("do providers need to report serious incidents?", "Article 73(1)"),
    ("How quickly must a provider report a serious incident involving its high-risk AI system?", "Article 73(2)"),
])
def test_serious_incidents_who_reports_or_how_quickly(findings, question, lead):
    assert findings.obligations(part_of(question), TODAY)[0].cites[0] == ("AI Act", lead)


def test_the_conformity_assessment_duty_leads_and_an_actor_keeps_its_own_duties(findings):
    c = findings.obligations(part_of("Do we need a conformity assessment for our high-risk AI?"), TODAY)
    assert c[0].cites[0] == ("AI Act", "Article 16(f)")
    importer = findings.obligations(part_of("do importers need to check the CE marking?"), TODAY)
    assert importer and importer[0].cites[0] == ("AI Act", "Article 23(1)")


@pytest.mark.parametrize("question, intent", [
    ("when r the ai act prohibitions live", "deadline"),
    ("When are the GPAI rules enforceable?", "deadline"),
    ("When is live facial recognition allowed?", "classification"),
])
def test_casual_ways_of_asking_from_when(question, intent):
    assert part_of(question).intent == intent


def test_the_consequences_of_not_complying_are_the_fines(findings):
    part = part_of("What are the consequences of non-compliance with the AI Act?")
    assert part.intent == "penalty"
    assert "35 000 000" in findings.penalty(part, TODAY)[0].text


@pytest.mark.parametrize("question, lead, opening", [
    ("Does an Annex III system that only prepares a human decision count as high-risk?", "Article 6(3)(d)", "Not high-risk, if"),
    ("Our Annex III tool just improves the result of work a human already finished. Still high-risk?",
     "Article 6(3)(b)", "Not high-risk, if"),
    ("Our Annex III tool only performs a narrow procedural task. Is it still high-risk?", "Article 6(3)(a)", "Not high-risk, if"),
    # the same words answer "always high-risk?" and "ever exempt?" (tests/test_round8.py)
    ("is an annex iii system that profiles people always high-risk?", "Article 6(3)", "Always high-risk where it profiles"),
])
def test_each_condition_of_article_6_3_is_concluded_by_its_point(findings, question, lead, opening):
    c = findings.scope(part_of(question), TODAY)
    assert c[0].text.startswith(opening) and c[0].cites[0] == ("AI Act", lead)
