"""The risk check with the real model on the real index: ``ask`` and ``assess`` give the same tier
for the same description, and no dev scenario of an Article 5 practice comes out minimal."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from aiact.evals.cases import load_cases

pytestmark = pytest.mark.slow

TIER_CLAUSE = {
    "prohibited": re.compile(r"prohibits", re.I),
    "high-risk": re.compile(r"\bLikely yes\b.*high-risk", re.I),
    "limited": re.compile(r"transparency duty", re.I),
}


@pytest.mark.parametrize("system", [
    "a tool that ranks job applicants' CVs and shortlists candidates for recruiters",
    "real-time remote biometric identification of passers-by in a shopping street, used by the police",
    "an app that infers employees' emotions from webcam video during meetings",
    "a landlord app that scores tenants from their social-media and political posts and refuses those with "
    "a low score",
    "a customer-service chatbot on our website that answers questions about orders",
    "a spam filter for our company's email",
])
def test_ask_and_assess_agree_on_the_tier(real_assistant, system):
    risk = real_assistant.assess(system)
    ans = real_assistant.ask(f"Is {system} high-risk?")
    first = ans.text.split("\n\n")[0]
    for tier, said in TIER_CLAUSE.items():
        assert bool(said.search(first)) == (risk.tier == tier), (tier, risk.tier, first)
    if risk.tier in TIER_CLAUSE:  # the provision that decides it is the answer's first citation
        assert ans.citations[0].reference == risk.citations[0].reference


def test_no_article_5_dev_scenario_comes_out_minimal(real_settings):
    from assistant import Assistant

    # the day the scenarios are labelled for: points (ba) and (bb) apply from 2 December 2026
    bot = Assistant(dataclasses.replace(real_settings, today=dt.date(2026, 12, 2)), progress=False)
    cases = [c for c in load_cases("dev") if c.scenario and c.gold_outcome == "prohibited"]
    assert len(cases) >= 40
    minimal = [c.id for c in cases if bot.assess(c.text).outcome == "minimal"]
    assert minimal == []
