"""Who the bodies are and what a duty contains, as law data: the rules of governance.toml and
requirements.toml conclude on the questions they answer, with the provision that states them
first, and stay silent on questions about something else (a company's board, a list of charities)."""
import datetime as dt

import pytest

from assistant.findings import Findings, refs
from assistant.law import load_law
from assistant.law.model import Fact, Law, Source
from assistant.law.verify import verify
from assistant.plan import parse
from aiact.corpus import load_corpus

DAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def findings():
    return Findings(load_law())


def rule(findings: Findings, question: str):
    part = parse(question, as_of=DAY).parts[0]
    return findings.scope(part, DAY)


@pytest.mark.parametrize("question, lead, words", [
    ("Who sits on the European AI Board?", "Article 65(2)", "one representative per Member State"),
    ("Which bodies are permanent members of the advisory forum?", "Article 67(5)", "ETSI"),
    ("Who acts as the single point of contact for the AI Act in a Member State?", "Article 70(2)",
     "market surveillance authority to act as the single point of contact"),
    ("Who is the controller of the EU database for high-risk AI systems?", "Article 71(6)",
     "The Commission shall be the controller of the EU database"),
    ("is there a public list of high risk ai systems somewhere", "Article 71(1)", "publicly available"),
    ("Which Annex III systems are registered at national level instead of in the EU database?",
     "Article 49(5)", "registered at national level"),
    ("our dpia already covers the ai tool - do we still need a fria?", "Article 27(4)",
     "data protection impact assessment"),
    ("What happens after a deployer has completed its fundamental rights impact assessment?",
     "Article 27(3)", "notify the market surveillance authority"),
    ("What has to go into a fundamental rights impact assessment?", "Article 27(1)", "specific risks of harm"),
    ("Apart from the compute threshold, how else can a GPAI model be classified as having systemic risk?",
     "Article 51(1)", "decision of the Commission"),
    ("if our gpai model is really big do we have extra stuff to do", "Article 55(1)", "systemic risk"),
    ("who enforces the ai act in spain", "Article 70(1)", "market surveillance authority"),
])
def test_the_rule_concludes_with_the_provision_that_states_it(findings, question, lead, words):
    clauses = rule(findings, question)
    assert clauses, question
    assert clauses[0].cites[0][1] == lead
    assert words in clauses[0].text


@pytest.mark.parametrize("question, not_cited", [
    ("who sits on the board of our company?", "Article 65(2)"),
    ("is there a public list of registered charities somewhere in france", "Article 71(1)"),
    ("do we need a FRIA?", "Article 27(1)(a)"),  # whether one is needed, not what it contains
    ("Above what amount of training compute is a general-purpose AI model presumed to have "
     "high-impact capabilities?", "Article 55(1)"),
    ("How soon after a designation decision may a provider ask the Commission to reassess its "
     "model's systemic risk?", "Article 51(1)(b)"),
    ("Who chairs the European AI Board?", "Article 65(2)"),
])
def test_a_rule_is_silent_on_what_it_does_not_answer(findings, question, not_cited):
    cited = [r for c in rule(findings, question) for _, r, *_ in c.cites]
    assert not_cited not in cited


def test_an_ordered_fact_keeps_its_lead_provision_whatever_the_words():
    law = load_law()
    fact = law.get("scope", "national-authorities")
    # 'enforce' stands only in Article 88(1): without `ordered`, the question's word would put it first
    assert refs(fact, text="who enforces the ai act in spain")[0] == ("AI Act", "Article 70(1)")


def test_who_fines_union_institutions_is_answered_by_the_provision_that_says_who(findings):
    part = parse("Who imposes fines on EU institutions that breach the AI Act?", as_of=DAY).parts[0]
    clauses = findings.penalty(part, DAY)
    assert clauses[0].cites[0] == ("AI Act", "Article 100(1)")
    assert "European Data Protection Supervisor" in clauses[0].text


def test_a_quote_in_a_conclusion_must_stand_in_the_facts_words():
    provisions = load_corpus()
    right = Fact("governance", "q1", (Source("Article 71(6)", ("The Commission shall be the controller of the EU database.",)),),
                 (("says", "The Commission: “The Commission shall be the controller of the EU database”"),))
    wrong = Fact("governance", "q2", (Source("Article 71(6)", ("The Commission shall be the controller of the EU database.",)),),
                 (("says", "The Board: “The Board shall be the controller of the EU database”"),))
    problems = verify(Law((right, wrong)), provisions, today=DAY)
    assert len(problems) == 1 and "q2" in problems[0] and "quotes" in problems[0]


def test_a_document_not_held_is_still_answered_where_the_provision_naming_it_answers(findings):
    # who draws the code up is Article 50(7)'s to say; what the code says is not held
    assert findings.not_held("who is drawing up the code of practice on labelling AI-generated content?") is None
    held = findings.not_held("What does the Article 50 code of practice require for labelling deepfakes?")
    assert held is not None and "Article 50(7)" in held.mentioned_in


def test_the_higher_of_amount_and_turnover_is_concluded_with_the_sme_rule_as_condition(findings):
    part = parse("Is the fine the higher or the lower of the amount and the percentage of turnover?", as_of=DAY).parts[0]
    clauses = findings.penalty(part, DAY)
    assert clauses[0].cites[0] == ("AI Act", "Article 99(3)") and "whichever is higher" in clauses[0].text
    assert any(c.kind == "condition" and "lower" in c.text for c in clauses)


def test_a_named_offence_is_answered_by_the_list_of_annex_ii(findings):
    clauses = rule(findings, "Is environmental crime one of the offences that can justify real-time remote "
                             "biometric identification to find a suspect?")
    assert clauses[0].cites[0][1] == "Annex II" and "environmental crime" in clauses[0].text
    # a suspect in general is the exception of Article 5(1)(h), not the list
    assert rule(findings, "Can the police use real-time facial recognition to find suspects?")[0].cites[0][1] == "Article 5(1)(h)"


def test_the_line_between_prohibited_and_high_risk_crime_prediction_cites_both(findings):
    clauses = rule(findings, "Which police risk assessments of individuals are high-risk rather than prohibited?")
    assert [r for _, r in clauses[0].cites] == ["Annex III, point 6(d)", "Article 5(1)(d)"]
    assert "not solely on the basis of the profiling" in clauses[0].text


@pytest.mark.parametrize("question, lead", [
    ("Does the lower-fine rule for SMEs also cover small mid-cap companies?", "Article 99(6a)"),
    ("Do small mid-caps get the same lower fines as SMEs?", "Article 99(6a)"),
    ("Are SMEs and small mid-caps fined less?", "Article 99(6)"),
])
def test_of_two_sizes_the_one_asked_about_answers_first(findings, question, lead):
    part = parse(question, as_of=DAY).parts[0]
    assert findings.penalty(part, DAY)[0].cites[0][1] == lead


@pytest.mark.parametrize("question, lead", [
    ("is there a public list of notified bodies under the AI Act?", "Article 35(2)"),
    ("is there a public list of general-purpose AI models with systemic risk?", "Article 52(6)"),
    ("which authority supervises AI systems used by banks?", "Article 74(6)"),
    ("who supervises AI used by EU institutions?", "Article 74(9)"),
    ("who supervises high-risk biometric AI used by the police?", "Article 74(8)"),
    ("who can send a qualified alert about a GPAI model?", "Article 90(1)"),
])
def test_each_list_and_each_authority_is_the_one_its_provision_names(findings, question, lead):
    assert rule(findings, question)[0].cites[0][1] == lead


def test_the_eu_database_does_not_answer_for_other_lists(findings):
    for question in ("is there a public list of notified bodies under the AI Act?",
                     "is there a public list of general-purpose AI models with systemic risk?"):
        assert "Article 71(1)" not in [r for c in rule(findings, question) for _, r, *_ in c.cites]
