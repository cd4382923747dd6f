"""Fresh questions as users ask them (round 8 C), by failure class: the fines' own formula asks a
penalty, a model 'already out before …' is placed on the market, 'we're an agency using …' is a
deployer, 'do we have to comply already?' asks whether the Act binds us, an intention not to act
('we're not going to sign') reads as 'will not', and the lead provision binds the actor asked."""
from __future__ import annotations

import datetime as dt

import pytest

from assistant.answer import _addressed_to_asked, _lead, addressee
from assistant.plan import ACTORS, found, intent_of, normalise, parse, placed_period


def _scored(reference: str, text: str, score: float = 1.0, reason: str = "retrieved"):
    from aiact.corpus.provision import BINDING, Provision
    from assistant.retrieve import Scored

    p = Provision(document="AI Act", reference=reference, title="", text=text, url="", kind=BINDING,
                  version="", source="", path=(), valid_from=dt.date(2024, 8, 1), valid_to=None,
                  amendment="", amended_by="", order=0, extra=())
    return Scored(p, score, score, reason)


# -- intent: the words of the fines' formula ask a penalty -----------------------------------
@pytest.mark.parametrize("question", [
    "We're a small mid-cap. If we used a prohibited practice, would the whichever-is-lower rule help us?",
    "does the whichever is higher thing apply to big companies?",
    "is it whichever is lower for startups?",
])
def test_the_fines_formula_asks_a_penalty(question):
    assert intent_of(normalise(question)) == "penalty"


def test_other_comparisons_are_not_fines():
    assert intent_of("which is higher risk, a chatbot or a CV screener?") != "penalty"


# -- slot: when the model or system was placed on the market ----------------------------------
@pytest.mark.parametrize("question, last", [
    ("deadline for GPAI models that were already out before august 2025 to comply?", dt.date(2025, 7, 31)),
    ("our model is on sale since 2024, when must it comply?", dt.date(2024, 12, 31)),
    ("the generator we've had out since March 2025", None),  # no copula: not read as a release
])
def test_a_model_already_out_is_placed_on_the_market(question, last):
    period = placed_period(question)
    assert (period[1] if period else None) == last


def test_out_of_scope_is_no_release_date():
    assert placed_period("is our tool out of scope before 2 August 2026?") is None
    assert placed_period("we have to carry out a FRIA before 2 August 2026") is None


def test_the_placed_period_reaches_the_plan():
    part = parse("deadline for GPAI models that were already out before august 2025 to comply?").parts[0]
    assert part.intent == "deadline" and part.placed == (dt.date.min, dt.date(2025, 7, 31))


# -- slot: the deployer, however they describe their use -----------------------------------
@pytest.mark.parametrize("question", [
    "we're a staffing agency using a high-risk CV screening AI - how long do we keep logs?",
    "I'm a teacher using an AI grading tool, what must I do?",
    "we have been using the same triage system since 2023",
    "We are a hospital deploying a high-risk triage tool",
])
def test_we_are_an_x_using_a_system_is_the_deployer(question):
    assert found(ACTORS, normalise(question)) == ("deployer",)


@pytest.mark.parametrize("question", [
    "we're building an app using an LLM, what must we do?",
    "we're developing a chatbot using an open model",
    "we are training a model using public data",
])
def test_whoever_builds_with_a_model_is_not_its_deployer(question):
    assert "deployer" not in found(ACTORS, normalise(question))


# -- intent: 'do we have to comply already?' asks whether the Act applies ---------------------
@pytest.mark.parametrize("question", [
    "our startup is still in R&D and hasn't launched anything yet - do we have to comply already?",
    "we only sell outside the EU, do we need to comply with the AI Act at all?",
    "do we have to comply yet?",
])
def test_whether_we_must_comply_at_all_is_scope(question):
    assert intent_of(normalise(question)) == "scope"


@pytest.mark.parametrize("question", [
    "what do we have to comply with as a deployer of a high-risk system?",
    "which requirements do we have to comply with for our CV screener?",
])
def test_what_we_must_comply_with_is_still_obligations(question):
    assert intent_of(normalise(question)) == "obligations"


# -- wording: an intention not to act reads as 'will not' -------------------------------------
@pytest.mark.parametrize("said, read", [
    ("we're not going to sign the code of practice", "we will not sign the code of practice"),
    ("We are not going to adhere to it", "We will not adhere to it"),
    ("our lab doesn't plan to follow the code", "our lab will not follow the code"),
    ("we decided not to sign", "we will not sign"),
    ("we are going to sign", "we are going to sign"),  # an intention to act is left as said
])
def test_an_intention_not_to_act_reads_as_will_not(said, read):
    assert normalise(said) == read


# -- lead: the provision that binds the actor asked -------------------------------------------
PROVIDERS_LOGS = "1. Providers of high-risk AI systems shall keep the logs referred to in Article 12(1) … of at least six months."
DEPLOYERS_LOGS = "6. Deployers of high-risk AI systems shall keep the logs automatically generated … of at least six months."
RECORDING = "1. High-risk AI systems shall technically allow for the automatic recording of events (logs)."


def test_the_addressee_is_read_from_the_opening_words():
    assert addressee(_scored("Article 26(6)", DEPLOYERS_LOGS).provision) == "deployer"
    assert addressee(_scored("Article 19(1)", PROVIDERS_LOGS).provision) == "provider"
    assert addressee(_scored("Article 12(1)", RECORDING).provision) is None


def test_a_close_candidate_binding_the_actor_asked_leads():
    q = "we're a staffing agency using a high-risk CV screening AI - how many months of logs do we have to keep?"
    candidates = [_scored("Article 19(1)", PROVIDERS_LOGS, 1.0), _scored("Article 26(6)", DEPLOYERS_LOGS, 0.9)]
    assert _addressed_to_asked(candidates, q).provision.reference == "Article 26(6)"
    assert _lead(candidates, q)[0].provision.reference == "Article 26(6)"


@pytest.mark.parametrize("question, scores", [
    ("how long must logs of a high-risk system be kept?", (1.0, 0.9)),  # no actor asked
    ("as a provider, how long do we keep the logs?", (1.0, 0.9)),  # the best already binds them
    ("we're an agency using a high-risk screener, how long do we keep logs?", (1.0, 0.5)),  # not close
])
def test_otherwise_the_best_hit_keeps_the_lead(question, scores):
    candidates = [_scored("Article 19(1)", PROVIDERS_LOGS, scores[0]), _scored("Article 26(6)", DEPLOYERS_LOGS, scores[1])]
    assert _lead(candidates, question)[0].provision.reference == "Article 19(1)"


# -- the real pipeline ------------------------------------------------------------------------
@pytest.mark.slow
def test_fresh_questions_lead_with_the_provision_that_answers(real_assistant):
    bot = real_assistant
    day = dt.date(2026, 11, 24)
    logs = bot.ask("we're a staffing agency using a high-risk CV screening AI - how many months of logs "
                   "do we have to keep?", as_of=day)
    assert logs.citations[0].reference == "Article 26(6)" and "six months" in logs.text.split("\n\n")[0]
    legacy = bot.ask("deadline for GPAI models that were already out before august 2025 to comply?", as_of=day)
    assert legacy.citations[0].reference == "Article 111(3)" and "2 August 2027" in legacy.text.split("\n\n")[0]
    smc = bot.ask("We're a small mid-cap. If we used a prohibited practice, would the whichever-is-lower "
                  "rule help us?", as_of=day)
    assert smc.citations[0].reference == "Article 99(6a)" and "paragraphs 4 and 5" in smc.text.split("\n\n")[0]
    unsigned = bot.ask("we're not going to sign the code of practice. how do we show we comply with article 53 then?",
                       as_of=day)
    assert "alternative adequate means" in unsigned.text.split("\n\n")[0]


# -- intent: a public body's duty is no operator's obligation ----------------------------------
@pytest.mark.parametrize("question", [
    "once a serious incident is notified, how many days does the market surveillance authority have to act?",
    "does every EU country have to set up a market surveillance authority for AI?",
    "Member States must designate which authorities?",
    "does the Commission have to publish the list of systemic-risk models?",
])
def test_what_an_authority_must_do_is_not_an_operators_obligation(question):
    assert intent_of(normalise(question)) == "other"


@pytest.mark.parametrize("question", [
    "do we have to notify the AI Office?",  # the body is whom we tell, not who must act
    "do providers have to report serious incidents to the market surveillance authority?",
    "does the deployer have to tell the regulator?",
])
def test_an_operators_duty_towards_an_authority_stays_obligations(question):
    assert intent_of(normalise(question)) == "obligations"


# -- lead: the point that states the detail asked is cited first -------------------------------
def test_the_point_stating_the_detail_asked_is_cited_first():
    from assistant.answer import detail_first

    head = _scored("Article 55(1)", "1. In addition to the obligations listed in Articles 53 and 54, providers of "
                   "general-purpose AI models with systemic risk shall:").provision
    a = _scored("Article 55(1)(a)", "(a) perform model evaluation in accordance with standardised protocols;").provision
    d = _scored("Article 55(1)(d)", "(d) ensure an adequate level of cybersecurity protection;").provision
    other = _scored("Article 51(2)", "2. … presumed to have high impact capabilities … cybersecurity …").provision
    q = "what cybersecurity stuff does a systemic-risk model provider have to do on top?"
    assert [p.reference for p in detail_first([head, other, a, d], q)] == \
        ["Article 55(1)(d)", "Article 55(1)", "Article 51(2)", "Article 55(1)(a)"]
    # no detail asked, or one the list's opening words already carry: the order stays
    assert detail_first([head, a, d], "what must systemic-risk model providers do?") == [head, a, d]
    assert detail_first([head, a, d], "what extra obligations on top of Articles 53 and 54?") == [head, a, d]
    # a provision that is not a point of the first one never jumps ahead
    assert detail_first([head, other], q) == [head, other]


# -- wording: words before the question that ask nothing ---------------------------------------
@pytest.mark.parametrize("said, read, intent", [
    ("quick q: what's the AI Office?", "what is the AI Office?", "definition"),
    ("hi team, when do the prohibitions apply?", "when do the prohibitions apply?", "deadline"),
    ("Dumb question: is a chatbot high-risk?", "is a chatbot high-risk?", "classification"),
    ("hey! quick question: is CV screening high risk?", "is CV screening high risk?", "classification"),
])
def test_a_preamble_is_not_part_of_the_question(said, read, intent):
    assert normalise(said) == read and parse(said).intent == intent


@pytest.mark.parametrize("said", [
    "ok, and for deployers?",  # a follow-up keeps the words that make it one
    "so what is a provider",
    "question of scope: does the Act cover research?",  # no punctuation right after: a real question
])
def test_a_preamble_keeps_the_words_that_ask(said):
    assert "deployers" in normalise(said) or normalise(said).split()[0].lower() in ("so", "question")


# -- intent: the day a status begins is a date asked ---------------------------------------------
@pytest.mark.parametrize("question", [
    "wen does AI that reads emotions of employees at work become banned?",
    "when will watermarking be mandatory?",
    "when does social scoring get prohibited?",
])
def test_when_a_status_begins_is_a_deadline(question):
    assert intent_of(normalise(question)) == "deadline"


def test_when_a_use_is_banned_without_a_change_of_status_keeps_its_reading():
    # "when is X banned?" may ask the conditions of the ban: not read as a date
    assert intent_of("when is emotion recognition banned?") == "classification"


# -- intent and slot: a body's tasks; a model's provider is a GPAI provider -------------------------
def test_what_a_body_does_is_not_an_operators_obligation():
    assert intent_of("what does the european AI board actually do?") == "other"
    assert intent_of("what does the provider have to do?") == "obligations"


@pytest.mark.parametrize("question", [
    "we're a non-EU model provider with an EU rep - what do they have to keep?",
    "what must providers of a model publish about training data?",
])
def test_the_provider_of_a_model_is_a_gpai_provider(question):
    assert "gpai" in parse(question).parts[0].categories
    assert "gpai" not in parse("our credit scoring model is high-risk, what must we do?").parts[0].categories


# -- lead: the regime the question is about ------------------------------------------------------
HIGH_RISK_INCIDENTS = "1. Providers of high-risk AI systems placed on the Union market shall report any serious incident …"
GPAI_INCIDENTS = "(c) keep track of, document, and report, without undue delay, to the AI Office … serious incidents …"


def _titled(reference, text, title, score):
    s = _scored(reference, text, score)
    import dataclasses
    return dataclasses.replace(s, provision=dataclasses.replace(s.provision, title=title))


def test_a_close_candidate_of_the_regime_asked_leads():
    from assistant.answer import _of_the_category_asked

    candidates = [_titled("Article 73(1)", HIGH_RISK_INCIDENTS, "Reporting of serious incidents", 0.87),
                  _titled("Article 55(1)(c)", GPAI_INCIDENTS,
                          "Obligations of providers of general-purpose AI models with systemic risk", 0.67)]
    q = "our LLM has systemic risk - must we report incidents, and to whom?"
    assert _of_the_category_asked(candidates, q).provision.reference == "Article 55(1)(c)"
    # the question on the high-risk regime, or on none, keeps the best hit
    assert _of_the_category_asked(candidates, "is our high-risk tool required to report serious incidents?") is None
    assert _of_the_category_asked(candidates, "must we report serious incidents?") is None
    # a candidate far behind does not take the lead
    far = [candidates[0], _titled("Article 55(1)(c)", GPAI_INCIDENTS, candidates[1].provision.title, 0.4)]
    assert _of_the_category_asked(far, q) is None


@pytest.mark.parametrize("question", [
    "is there a grace period for chatbots already on the market?",
    "how much time do we have to comply?",
    "is there a phase-in for the high-risk rules?",
])
def test_a_grace_period_asks_a_date(question):
    assert intent_of(normalise(question)) == "deadline"


# -- slot and intent: a use planned or described, and which rules apply to it -----------------------
@pytest.mark.parametrize("question", [
    "im a freelancer using chatgpt to write marketing copy for clients, any obligations for me?",
    "our school wants to use AI to grade essays, what rules apply to us as the school?",
    "we plan to deploy a chatbot on our website",
])
def test_a_use_planned_or_described_is_the_deployer(question):
    assert found(ACTORS, normalise(question)) == ("deployer",)


def test_a_product_wanting_to_use_is_no_deployer():
    assert found(ACTORS, "our model wants to use more data") == ()


def test_which_rules_apply_to_a_use_asks_its_tier_and_which_rules_apply_asks_duties():
    assert intent_of("our school wants to use AI to grade essays, what rules apply to us as the school?") == "classification"
    assert intent_of("What extra obligations apply to providers of GPAI models with systemic risk?") == "obligations"
    assert intent_of("which requirements apply to deployers of high-risk systems?") == "obligations"
    assert intent_of("does the AI act apply to us?") == "scope"


# -- intent: time left, where to file, a body's work -------------------------------------------------
@pytest.mark.parametrize("question, intent", [
    ("how long till the AI act fully applies?", "deadline"),
    ("how many months until the high-risk rules apply?", "deadline"),
    ("who do we register high risk systems with?", "obligations"),
    ("where do I report a serious incident?", "obligations"),
    ("what does a notified body do under the act?", "other"),
])
def test_time_left_where_to_file_and_a_bodys_work(question, intent):
    assert intent_of(normalise(question)) == intent


def test_how_long_before_is_a_period_not_a_date():
    assert intent_of("how long before placing on the market must we notify the Commission?") != "deadline"


# -- slot and intent: whoever places it on the market; what is needed first ---------------------------
@pytest.mark.parametrize("question", [
    "we're a non-EU lab and want to put our LLM on the EU market — what do we need first?",
    "I need to bring my model onto the EU market",
])
def test_whoever_puts_it_on_the_market_is_the_provider(question):
    part = parse(question).parts[0]
    assert "provider" in part.actors and part.intent == "obligations"


def test_a_market_named_without_placing_names_no_provider():
    assert found(ACTORS, "we put it on sale in the EU market") == ()


# -- intent: the tier asked between two ---------------------------------------------------------------
@pytest.mark.parametrize("question", [
    "our chatbot for a bank gives loan advice - is it high risk or just transparency?",
    "is a customer service bot high risk or limited risk?",
    "we sell AI-powered toys in the EU. which rules apply?",
])
def test_a_tier_asked_between_two_or_the_rules_of_a_product_ask_its_tier(question):
    assert intent_of(normalise(question)) == "classification"


def test_a_comparison_of_fines_between_tiers_stays_a_penalty():
    assert intent_of("Is the fine for high-risk or prohibited practices higher?") == "penalty"
    assert intent_of("which rules apply?") == "other"


def test_contractions_of_question_words_are_read_as_words():
    assert normalise("who's in charge of enforcing the AI act?") == "who is in charge of enforcing the AI act?"
    assert normalise("whos enforcing it in france") == "who is enforcing it in france"
    assert normalise("where's the EU database?") == "where is the EU database?"


# -- slot: the other party's duty, when the speaker names their own role --------------------------------
def test_they_after_our_own_role_asks_the_other_partys_duty():
    part = parse("we're a non-EU model provider with an EU rep - what do they have to keep and for how long?").parts
    assert [p.actors for p in part] == [("authorised representative",)]


@pytest.mark.parametrize("question, actors", [
    ("providers and deployers - what must they do?", [("provider",), ("deployer",)]),  # both asked
    ("as a distributor, what do we check and what must importers do?", [("distributor",), ("importer",)]),
])
def test_without_a_third_person_asked_every_actor_named_is_asked(question, actors):
    assert [p.actors for p in parse(question).parts] == actors
