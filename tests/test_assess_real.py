"""The risk check with the real model on the real index: ``ask`` and ``assess`` give the same tier
for the same description, and no dev scenario of an Article 5 practice comes out minimal."""
from __future__ import annotations

import dataclasses
import re

import pytest

from aiact.evals.cases import load_cases

pytestmark = pytest.mark.slow

TIER_CLAUSE = {
    "prohibited": re.compile(r"prohibits", re.I),
    "high-risk": re.compile(r"\bLikely yes\b.*high-risk", re.I),
    "limited": re.compile(r"not high-risk by that fact alone.*transparency duty", re.I),
}


@pytest.mark.parametrize("system", [
    "a tool that ranks job applicants' CVs and shortlists candidates for recruiters",
    "real-time remote biometric identification of passers-by in a shopping street, used by the police",
    "an app that infers employees' emotions from webcam video during meetings",
    "a landlord app that scores tenants from their social-media and political posts and refuses those with "
    "a low score",
    "a customer-service chatbot on our website that answers questions about orders",
    "a spam filter for our company's email",
    "a chatbot for a bank that also decides on loans",  # Article 50 never masks Annex III
    "an AI toy that talks to children",
])
def test_ask_and_assess_agree_on_the_tier(real_assistant, system):
    risk = real_assistant.assess(system)
    ans = real_assistant.ask(f"Is {system} high-risk?")
    first = ans.text.split("\n\n")[0]
    for tier, said in TIER_CLAUSE.items():
        assert bool(said.search(first)) == (risk.tier == tier), (tier, risk.tier, first)
    if risk.tier in TIER_CLAUSE:  # the provision that decides it is the answer's first citation
        assert ans.citations[0].reference == risk.citations[0].reference
    if risk.tier == "high-risk" and any(c.reference.startswith("Article 50") for c in risk.citations):
        assert "On top of that, it has the transparency duty of Article 50" in first, first


def test_no_article_5_dev_scenario_comes_out_minimal(real_settings):
    from assistant import Assistant

    from aiact.evals.classify import labelled_on

    # the day the scenarios are labelled for: the day points (ba) and (bb) apply (law data)
    bot = Assistant(dataclasses.replace(real_settings, today=labelled_on()), progress=False)
    cases = [c for c in load_cases("dev") if c.scenario and c.gold_outcome == "prohibited"]
    assert len(cases) >= 40
    minimal = [c.id for c in cases if bot.assess(c.text).outcome == "minimal"]
    assert minimal == []


@pytest.mark.parametrize("question, reference, words", [
    ("When do the obligations for high-risk AI systems listed in Annex III apply?", "Article 113(c)",
     "2 December 2027"),
    ("Is an AI tool that screens CVs for recruiters high-risk?", "Annex III, point 4(a)", "Likely yes"),
    ("What is a deployer?", "Article 3(4)", "deployer"),
    ("What are the fines for prohibited AI practices?", "Article 99(3)", "35 000 000"),
    ("Which AI practices are prohibited?", "Article 5", "Article 5"),
    ("What must providers of general-purpose AI models do?", "Article 53", "technical documentation"),
    ("What did Article 113 originally say about Article 6(1)?", "Article 113(c)", "2 August 2027"),
    ("Do I have to tell users they are talking to a chatbot?", "Article 50(1)", "Article 50(1)"),
])
def test_the_ask_tab_examples_are_right(real_assistant, question, reference, words):
    from assistant.core import EXAMPLES

    assert question in EXAMPLES
    ans = real_assistant.ask(question)
    assert not ans.abstained
    assert ans.citations[0].reference.startswith(reference)
    assert words in ans.text.split("\n\n")[0]


def test_every_ask_tab_example_is_checked():
    from assistant.core import EXAMPLES

    params = test_the_ask_tab_examples_are_right.pytestmark[0].args[1]
    checked = {p.values[0] if hasattr(p, "values") else p[0] for p in params}
    assert checked == set(EXAMPLES)


@pytest.mark.parametrize("description, reference", [
    ("Our cameras identify people live in the street for the police.", "Article 5(1)(h)"),
    ("We sort people into groups by their beliefs using photos of them.", "Article 5(1)(g)"),
])
def test_close_to_a_practice_with_the_real_model_asks(real_assistant, description, reference):
    risk = real_assistant.assess(description)
    assert risk.outcome == "undecided" and risk.tier is None
    assert risk.citations[0].reference == reference
    assert risk.open_questions and all(o.then == "prohibited" for o in risk.open_questions)
    fact = risk.open_questions[0].fact
    assert real_assistant.assess(description, facts={fact: "no"}).outcome != "undecided"


def test_a_talking_toy_is_asked_about_the_annex_i_route(real_assistant):
    """A toy is a product of Annex I (Directive 2009/48/EC): the answer names the Article 6(1)
    question whose answer would make it high-risk, beside its Article 50(1) duty."""
    ans = real_assistant.ask("Is an AI toy that talks to children high-risk?")
    assert ans.text.startswith("No, not high-risk by that fact alone") and ans.citations[0].reference == "Article 50(1)"
    assert "It would be high-risk under Article 6(1) if you answer yes to: Is it a safety component" in ans.text
    assert "Article 6(1)" in [c.reference for c in ans.citations]
