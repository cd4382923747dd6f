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
