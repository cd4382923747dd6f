"""Round 9 D: the classes found on fresh user questions about the value chain (Articles 22–25),
serious incidents, Article 50(3), open-source models, enforcement and whistleblowers.

Each test checks a class, by questions worded differently from the eval cases: the plan reads the
slot or the intent, and the law data answers with the provision that states the fact."""
from __future__ import annotations

import datetime as dt

import pytest

from assistant.findings import Findings
from assistant.plan import parse

DAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def findings() -> Findings:
    return Findings()


def _lead(clauses) -> str | None:
    return clauses[0].cites[0][1] if clauses and clauses[0].cites else None


def _duties(findings: Findings, question: str) -> list:
    part = parse(question).parts[0]
    assert part.intent == "obligations", (question, part.intent)
    return findings.obligations(part, DAY)


def _rule(findings: Findings, question: str) -> str | None:
    return _lead(findings.scope(parse(question).parts[0], DAY))


def _concludes(findings: Findings, question: str) -> str | None:
    """The rule that concludes on its own words (two terms of a weighted fact: core's threshold 4)."""
    clauses = findings.scope(parse(question).parts[0], DAY)
    return _lead(clauses) if clauses and clauses[0].strength >= 4 else None


# --- the plan ---------------------------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "our company is in Canada, do we need somebody established in the Union to sell our high-risk tool?",
    "do we have to appoint an EU-based representative for our annex III product?",
    "is a legal representative located in europe required for us?",
])
def test_a_person_in_the_union_is_the_authorised_representative(question):
    assert "authorised representative" in parse(question).parts[0].actors


def test_a_person_in_the_union_is_asked_as_a_duty():
    plan = parse("we're a japanese vendor of a high-risk AI, do we need anyone based in the EU?")
    assert plan.parts[0].intent == "obligations"


@pytest.mark.parametrize("question", [
    "as a reseller of a high-risk AI, what must we do before we sell it?",
    "distributor here - what do we check before selling a high risk system?",
    "I'm an importer, what do I verify before I sell it on?",
])
def test_the_speakers_own_role_wins_over_we_sell(question):
    actors = parse(question).parts[0].actors
    assert "provider" not in actors and actors, actors


def test_a_named_provider_stays_with_a_named_role():
    parts = parse("we're a distributor: what must the provider have done before we sell it?").parts
    assert {a for p in parts for a in p.actors} == {"provider", "distributor"}


def test_which_duties_still_apply_is_no_date_question():
    assert parse("our model's weights are open, which obligations still apply to us?").parts[0].intent == "obligations"
    # with a time word it stays a date question
    assert parse("which obligations still apply from August 2026?").parts[0].intent == "deadline"
    assert parse("does the 2024 date still apply?").parts[0].intent == "deadline"


def test_the_checks_a_duty_consists_of_are_asked_as_duties():
    assert parse("what checks do importers need before they place a high-risk system?").parts[0].intent == "obligations"


# --- the law data: value chain ----------------------------------------------------------------

def test_importer_name_on_the_packaging(findings):
    clauses = _duties(findings, "we import AI tools for HR screening - must our trade mark and address be on the box or packaging?")
    assert _lead(clauses) == "Article 23(3)"
    assert "packaging" in clauses[0].text


def test_a_distributor_with_a_non_conforming_system_already_supplied(findings):
    clauses = _duties(findings, "we distribute a high-risk AI and have already shipped units that turn out not compliant - what now, do we have to?")
    assert _lead(clauses) == "Article 24(4)"
    assert "withdraw it or recall it" in clauses[0].text


def test_an_importer_that_doubts_conformity(findings):
    clauses = _duties(findings, "we import a high-risk system and suspect the documents are falsified, what must we do?")
    assert _lead(clauses) == "Article 23(2)"


def test_the_checks_before_supply_need_the_actor_named(findings):
    # a distributor's checks
    clauses = _duties(findings, "we're a wholesaler/distributor - what do we have to verify before we supply a high-risk AI?")
    assert _lead(clauses) == "Article 24(1)"
    # the same words from a provider do not bring the distributor's or importer's duties
    provider = _duties(findings, "we sell an AI that scores tenants - what do we have to do before selling it in the EU?")
    assert all(c.cites[0][1] not in ("Article 23(1)", "Article 24(1)") for c in provider if c.cites)


def test_a_provider_outside_the_union_and_its_representative(findings):
    clauses = _duties(findings, "we're a swiss startup with a high-risk AI, do we need somebody established in the EU?")
    assert _lead(clauses) == "Article 22(1)"
    # naming the representative alone asks what it does, not its appointment: the passages answer
    assert not any(c.cites and c.cites[0][1] == "Article 22(1)" and c.strength >= 2 for c in
                   findings.obligations(parse("what tasks does our EU authorised representative perform?").parts[0], DAY))


# --- the law data: Article 50(3) --------------------------------------------------------------

def test_emotion_recognition_notice_when_informing_is_asked(findings):
    clauses = _duties(findings, "our shop uses emotion recognition cameras, do we have to inform shoppers?")
    assert _lead(clauses) == "Article 50(3)"


def test_informing_words_alone_are_not_the_emotion_duty(findings):
    clauses = _duties(findings, "we publish AI-written press releases, do we need to disclose that?")
    assert "Article 50(3)" not in [c.cites[0][1] for c in clauses if c.cites]


# --- the law data: rules stated in plain words ------------------------------------------------

def test_open_source_with_systemic_risk(findings):
    assert _rule(findings, "our open-weights model crosses the systemic risk threshold - is the exemption still available?") == "Article 53(2)"
    clauses = findings.scope(parse("our open-weights model crosses the systemic risk threshold - is the exemption still available?").parts[0], DAY)
    assert clauses[0].text.startswith("No")
    # no systemic risk named: the open-source rule of Article 2(12) answers, not this one
    assert _rule(findings, "is open source software exempt from the AI act?") == "Article 2(12)"


def test_formal_non_compliance(findings):
    assert _rule(findings, "our high-risk system shipped without the declaration of conformity - what will happen?") == "Article 83(1)"
    assert _rule(findings, "we never did the EU database registration for our annex III tool, consequences?") == "Article 83(1)"


def test_non_compliance_found_by_market_surveillance(findings):
    assert _rule(findings, "market surveillance says our AI is not compliant; how long to bring it into compliance?") == "Article 79(2)"


def test_whistleblowers(findings):
    assert _rule(findings, "is a staff member who leaks our AI act breaches to the press protected as a whistleblower?") == "Article 87"
    # protecting workers is not reporting: national rules on workers are another rule
    assert _rule(findings, "can member states keep rules protecting workers from AI used by employers?") != "Article 87"


# --- round 2: classes found on the earlier dev cases of the same areas ------------------------

def test_an_importer_check_asked_by_its_point(findings):
    clauses = _duties(findings, "as an importer must we verify the declaration of conformity and CE marking?")
    assert _lead(clauses) == "Article 23(1)(c)"
    # the checks as a whole: the paragraph that introduces them
    assert _lead(_duties(findings, "what do importers of high-risk AI have to check before placing it on the market?")) == "Article 23(1)"


def test_whether_a_high_risk_system_may_be_tested_on_real_people(findings):
    clauses = findings.scope(parse("could we pilot our high-risk triage AI with real patients before the launch?").parts[0], DAY)
    assert _lead(clauses) == "Article 60(1)" and clauses[0].text.startswith("Yes")
    # how long or what happens next is the paragraph that says it, not this rule
    assert _rule(findings, "we're testing our high-risk AI in real world conditions, what's the longest it may last?") != "Article 60(1)"
    assert _concludes(findings, "can we test our chatbot's prompts in a notebook?") is None


def test_what_the_instructions_for_use_contain(findings):
    assert _concludes(findings, "what has to go in the instructions for use of our high-risk system?") == "Article 13(3)"
    # checking that they come with the system is the distributor's duty, not their content
    assert _concludes(findings, "do distributors check the instructions for use are there?") is None


@pytest.mark.parametrize("question,deployer", [
    ("If we publish AI-generated deepfake clips on our channel, what must we do?", True),
    ("I post AI-made photos of politicians, any rules?", True),
    ("we publish our model weights on github, what applies?", False),
])
def test_publishing_content_is_using_the_system(question, deployer):
    assert ("deployer" in parse(question).parts[0].actors) is deployer


# --- round 3: the second batch of fresh questions ---------------------------------------------

def test_a_distributor_checks_what_the_provider_and_importer_had_to_mark(findings):
    clauses = _duties(findings, "we're a reseller and the importer didn't put its address on the product, can we still sell it?")
    assert _lead(clauses) == "Article 24(1)" and "23(3)" in clauses[0].text


def test_serious_incidents_of_medical_devices(findings):
    assert _concludes(findings, "our AI is an MDR medical device - which serious incidents must we notify?") == "Article 73(10)"
    # no device named: not this rule
    assert _concludes(findings, "which serious incidents must we notify?") is None


def test_the_form_of_the_article_50_notice(findings):
    assert _concludes(findings, "does our AI disclosure label need to work with screen readers?") == "Article 50(5)"


def test_personal_data_reused_in_a_sandbox(findings):
    clauses = findings.scope(parse("in the regulatory sandbox may we re-use customer data collected for billing to train the model?").parts[0], DAY)
    assert _lead(clauses) == "Article 59(1)" and "public interest" in clauses[0].text


def test_documentation_for_those_who_integrate_a_gpai_model(findings):
    clauses = _duties(findings, "what documentation must we hand to companies that integrate our general-purpose AI model?")
    assert _lead(clauses) == "Article 53(1)(b)" and "Annex XII" in clauses[0].text
    # the technical documentation for the AI Office is not this duty
    other = findings.obligations(parse("what must the technical documentation of our gpai model contain?").parts[0], DAY)
    assert all(c.cites[0][1] != "Article 53(1)(b)" or c.strength < 2 for c in other if c.cites)


def test_objections_to_a_national_measure(findings):
    clauses = findings.scope(parse("another member state disagrees with a national ban on an AI system; within how long does the Commission decide?").parts[0], DAY)
    assert _lead(clauses) == "Article 81(1)" and "60 days" in clauses[0].text


def test_restricted_registrations(findings):
    assert _concludes(findings, "will the police registration of our high-risk AI in the EU database be public?") == "Article 49(4)"


@pytest.mark.parametrize("question,reference", [
    # each rule needs both its subject and the aspect it answers: one of them alone is another question
    ("How long are the logs of the processing of personal data in the sandbox kept?", "Article 59(1)"),
    ("Do we need to label deep fakes we publish?", "Article 50(5)"),
    ("Must the instructions for use be provided in a digital format?", "Article 13(3)"),
    ("Can providers test high-risk AI systems in the AI regulatory sandbox?", "Article 60(1)"),
    ("How long does the market surveillance authority have to take measures after a serious incident notification?", "Article 79(8)"),
    ("Do deployers in law enforcement have to register high-risk systems in the EU database?", "Article 49(4)"),
    ("What happens after we register in the EU database?", "Article 83(1)"),
])
def test_a_rule_does_not_answer_on_half_its_words(findings, question, reference):
    assert _rule(findings, question) != reference


def test_what_an_authorised_representative_keeps_is_not_its_appointment(findings):
    clauses = findings.obligations(parse("our authorised representative is based in Ireland, what documents must it keep?").parts[0], DAY)
    assert not any(c.cites and c.cites[0][1] in ("Article 22(1)", "Article 54(1)") for c in clauses)


def test_the_integrators_own_question_is_not_the_gpai_providers_documentation_duty(findings):
    part = parse("Does a provider that integrates a general-purpose AI model into its high-risk AI system have obligations?").parts[0]
    # it gets the providers' duties listed as a whole, not the documentation duty as the answer
    clauses = findings.obligations(part, DAY)
    assert clauses and "Annex XII" not in clauses[0].text


@pytest.mark.parametrize("question,lead", [
    ("we are a distributor of AI systems, what must we do?", "Article 24(1)"),
    ("we're an importer of high-risk AI, what are our obligations?", "Article 23(1)"),
])
def test_an_actor_asking_its_duties_as_a_whole_gets_them_all_strongly(findings, question, lead):
    clauses = [c for c in findings.obligations(parse(question).parts[0], DAY) if c.kind != "condition"]
    assert _lead(clauses) == lead and all(c.strength >= 2 for c in clauses)
    if lead == "Article 23(1)":  # every importer duty is listed, not only the checks
        assert {"Article 23(2)", "Article 23(3)"} <= {c.cites[0][1] for c in clauses}


# --- round 4: the third batch ------------------------------------------------------------------

def test_how_many_days_to_report_is_the_duty_period():
    assert parse("within how many days must we report a serious incident to the authority?").parts[0].intent == "obligations"
    assert parse("how quickly do providers have to notify a serious incident?").parts[0].intent == "obligations"


def test_how_long_an_importer_keeps_the_papers(findings):
    clauses = _duties(findings, "as an importer how long must we keep the declaration of conformity and instructions for use?")
    assert _lead(clauses) == "Article 23(5)" and "10 years" in clauses[0].text
    # which documents to import goods is another law's question
    part = parse("Which documents do I need to import furniture into the EU?").parts[0]
    assert not any(c.cites and c.cites[0][1] == "Article 23(5)" for c in findings.obligations(part, DAY))


def test_sme_access_to_sandboxes(findings):
    assert _concludes(findings, "do SMEs get priority in the regulatory sandbox?") == "Article 62(1)(a)"
    assert _rule(findings, "how long can we stay in the sandbox?") != "Article 62(1)(a)"
