"""Questions that compare two defined terms, lay duty questions, and the remedies data (round 6)."""
from __future__ import annotations

import re

from assistant.answer import _lead
from assistant.findings import Findings, best
from assistant.plan import parse
from assistant.retrieve import Scored, _definitions_first
from aiact.corpus.provision import Provision


def _p(ref: str, text: str) -> Provision:
    return Provision(document="AI Act", reference=ref, title="Definitions", text=text, url="", kind="binding law",
                     version="2024", source="x")


PROVIDER = Scored(_p("Article 3(3)", "(3) ‘provider’ means a natural or legal person …"), 0.6, 0.4, "definition")
DEPLOYER = Scored(_p("Article 3(4)", "(4) ‘deployer’ means a natural or legal person …"), 0.9, 0.4, "definition")
OTHER = Scored(_p("Article 13(3)(a)", "(a) the identity and the contact details of the provider"), 0.8, 0.5, "retrieved")


def test_compared_definitions_lead_in_the_order_asked():
    q = "whats the difference between a provider and a deployer"
    ranked = [DEPLOYER, OTHER, PROVIDER]
    first = _definitions_first(ranked, ranked, q)
    assert [s.provision.reference for s in first[:2]] == ["Article 3(4)", "Article 3(3)"]
    assert [s.provision.reference for s in _lead(first, q)] == ["Article 3(3)", "Article 3(4)"]


def test_a_single_definition_or_a_duty_comparison_keeps_the_ranking():
    ranked = [OTHER, DEPLOYER, PROVIDER]
    assert _definitions_first(ranked, ranked, "What are the obligations of providers and deployers?") == ranked
    assert _definitions_first(ranked, ranked, "provider vs deployer duties for high risk AI") == ranked
    assert [s.provision.reference for s in _lead([DEPLOYER, PROVIDER], "What is a deployer?")] == ["Article 3(4)"]


def test_lay_duty_questions_are_obligations_questions():
    assert parse("if our gpai model is really big do we have extra stuff to do").intent == "obligations"
    assert parse("we sell a high risk ai, anything we need to do?").intent == "obligations"
    assert parse("What is the capital of France?").intent != "obligations"


def _facts(subject: str):
    return Findings().law.subject(subject)


def test_remedies_answer_questions_about_ai_only():
    facts = _facts("remedies")
    assert [f.id for f in best(facts, "who do i complain to if an ai system treated me unfairly")][:1] == ["complaint"]
    assert not best(facts, "who do i complain to if an airline lost my luggage")
    assert [f.id for f in best(facts, "do i have a right to know why an ai turned down my loan")][:1] == ["explanation"]
    assert [f.id for f in best(facts, "can a regulator force us to pull our ai product off the market")][:1] == ["withdrawal"]


def test_national_authorities_need_the_act_or_ai_in_the_question():
    fact = next(f for f in _facts("scope") if f.id == "national-authorities")
    requires = re.compile(fact.get("requires"), re.I)
    assert requires.search("who checks that companies follow the ai act in germany")
    assert requires.search("which authority checks compliance in my country")
    assert not requires.search("who checks that restaurants follow the food hygiene rules in germany")


def test_spelling_variants_of_a_term_reach_its_fact():
    fact = next(f for f in _facts("scope") if f.id == "gpai-modifier-provider")
    for q in ("we fine tune llama, are we a provider now?", "we finetuned mistral, are we the provider now",
              "we fine-tune llama for our product, are we a provider?"):
        assert best((fact,), q), q


def test_compared_actors_are_a_definition_question_unless_duties_are_asked():
    assert parse("distributor vs importer - whats the difference?").intent == "definition"
    assert parse("is an importer the same as a distributor").intent == "definition"
    assert [p.intent for p in parse("provider vs deployer duties for high risk AI").parts] == ["obligations"] * 2


def test_when_as_a_conjunction_is_no_date_question():
    assert parse("can i demand an explanation when a bank's ai rejects my credit application?").intent != "deadline"
    assert parse("when does the ai act apply").intent == "deadline"


def test_an_act_notion_keeps_a_question_naming_another_law_on_topic():
    assert parse("do i need a dpia and a fundamental rights impact assessment").intent != "off_topic"
    assert parse("What does the DSA require from very large online platforms on systemic risk assessment?").intent == "off_topic"
    assert parse("how long do we have to report a personal data breach").intent == "off_topic"


def test_the_original_timetable_is_the_law_before_the_omnibus():
    from aiact.corpus.provision import OMNIBUS_IN_FORCE

    assert parse("Under the original timetable, when did everything apply?").as_of < OMNIBUS_IN_FORCE


def test_a_word_of_the_english_texts_outweighs_one_short_foreign_word():
    from assistant.language import detect

    english = {"mark", "marking", "obligations"}
    assert detect("ce mark ai", english) is None
    assert detect("ce marquage obligatoire ?", english).code == "fr"
    assert detect("Quelles sont les obligations de transparence ?", english).code == "fr"
    assert detect("Was ist KI?", english).code == "de"


def test_the_timeline_lists_the_stages_in_order_and_only_those_to_come_when_asked():
    import datetime as dt

    f = Findings()
    day = dt.date(2026, 12, 3)
    stages = f.deadline(parse("ai act timeline").parts[0], day)
    dates = [re.search(r"\d{1,2} \w+ 20\d\d", c.text).group(0) for c in stages]
    assert dates[0] == "2 February 2025" and dates[-1] == "2 August 2028" and len(dates) == len(set(dates)) >= 5
    coming = f.deadline(parse("what are the main deadlines coming up").parts[0], day)
    assert [re.search(r"\d{1,2} \w+ 20\d\d", c.text).group(0) for c in coming] == ["2 December 2027", "2 August 2028"]
