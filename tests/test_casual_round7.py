"""Casual questions as founders type them (round 7): real English words the corpus does not
use are not 'corrected', a product described without a question asks its tier, a figure asked
is not a definition, and a tier that turns on one fact the question leaves open says which."""
from __future__ import annotations

import pytest

from assistant.plan import Speller, defined_term, intent_of, parse
from assistant.settings import default_model_path
from assistant.vocabulary import tokenizer_words


def test_the_models_vocabulary_is_a_word_list_of_ordinary_english():
    words = tokenizer_words(default_model_path())
    assert {"bought", "shelf", "cheat", "baking"} <= words
    assert "prohibted" not in words and not any(w.startswith("#") for w in words)
    assert tokenizer_words("/nonexistent") == frozenset()


def test_known_words_are_kept_typos_still_mended():
    speller = Speller(["prohibited practices brought self", "brought"], known=frozenset({"bought", "shelf"}))
    assert speller.correct("we bought it off the shelf") == "we bought it off the shelf"
    assert speller.correct("prohibted practises") == "prohibited practices"
    plain = Speller(["brought brought"])
    assert plain.correct("bought") == "brought"  # without the word list the guard is off


@pytest.mark.parametrize("question", [
    "our app scores how likely a customer is to pay back a loan",
    "we develop software that screens tenants for landlords",
    "our platform ranks job applicants for recruiters, is it high risk",
    "can police use facial recognition in the street",
    "can hospitals use ai to decide which patients are seen first",
])
def test_a_product_described_or_a_use_by_an_institution_asks_its_tier(question):
    assert intent_of(question) == "classification"


@pytest.mark.parametrize("question", [
    "our app scores loan applicants. when do the rules apply?",  # a question is asked: not guessed
    "we are a startup in berlin",
    "what is a provider",
])
def test_statements_without_a_product_use_or_with_a_question_keep_their_intent(question):
    assert intent_of(question) != "classification"


def test_a_figure_asked_is_not_a_definition():
    q = "what is the threshold for systemic risk in flops"
    assert intent_of(q) != "definition" and defined_term(q) is None
    assert defined_term("what is a deep fake") == "deep fake"
    assert parse("what's the max fine for a startup").intent == "penalty"


def test_are_we_the_provider_is_a_scope_question():
    assert intent_of("we bought an ai tool off the shelf, are we the provider") == "scope"


@pytest.mark.slow
def test_a_tier_that_turns_on_one_open_fact_says_which(real_assistant):
    a = real_assistant.ask("is it ok to use ai to predict if someone will commit a crime")
    first = a.text.split("\n")[0]
    assert first.startswith("It depends on one fact the question does not give:")
    assert "solely on profiling" in first and a.citations[0].reference == "Article 5(1)(d)"


@pytest.mark.slow
def test_a_high_risk_use_names_the_fact_that_would_make_it_prohibited(real_assistant):
    a = real_assistant.ask("can police use facial recognition in the street")
    assert a.citations[0].reference == "Annex III, point 1(a)"
    assert "It would be prohibited under Article 5(1)(h) if you answer yes to: Does the identification " \
           "happen in real time" in a.text


@pytest.mark.slow
def test_bought_off_the_shelf_makes_you_the_deployer(real_assistant):
    a = real_assistant.ask("we bought an ai tool off the shelf, are we the provider")
    assert a.citations[0].reference == "Article 3(4)" and "makes you its deployer" in a.text.split("\n")[0]


@pytest.mark.slow
def test_paying_back_a_loan_is_creditworthiness(real_assistant):
    risk = real_assistant.assess("our app scores how likely a customer is to pay back a loan")
    assert risk.tier == "high-risk" and risk.citations[0].reference == "Annex III, point 5(b)"


def test_uncovered_words_are_the_ones_coverage_counts_against():
    from assistant.retrieve import coverage, uncovered
    from aiact.corpus.provision import Provision

    p = Provision(document="AI Act", reference="Article 99(1)", title="Penalties",
                  text="Member States shall lay down the rules on penalties.", url="", kind="binding law",
                  version="2024", source="x")
    q = "what if we ignore the penalties rules"
    assert "ignore" in uncovered(q, [p]) and "penalties" not in uncovered(q, [p])
    assert coverage(q, [p]) < 1.0


@pytest.mark.slow
def test_ordinary_words_missing_from_close_passages_do_not_refuse_but_a_name_does(real_assistant):
    assert not real_assistant.ask("how do i know if my thing is even an ai system").abstained
    assert real_assistant.ask("How much did the AI Office fine Meta in 2025 for breaching the AI Act?").abstained


@pytest.mark.slow
def test_a_named_provision_is_not_displaced_by_a_rule_that_cites_others(real_assistant):
    a = real_assistant.ask("Article 9(1) risk management system requirement")
    assert a.citations[0].reference == "Article 9(1)"
    b = real_assistant.ask("What must the risk management system for a high-risk AI system look like?")
    assert b.citations[0].reference == "Article 9(2)"


def test_same_or_within():
    from assistant.core import _same_or_within

    assert _same_or_within("Article 9(2)(a)", "Article 9(2)") and _same_or_within("Article 9", "Article 9(1)")
    assert not _same_or_within("Article 9(2)", "Article 9(1)") and not _same_or_within("Article 91", "Article 9")
