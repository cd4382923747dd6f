"""Fresh questions as users type them (round 8): "does the act apply?" asked at the end of a
description, abbreviations and inflected words the speller leaves alone, when the duties of
staff training and the fines begin, the fine for wrong information, whether a distributor becomes
the provider, the conformity route, who watches notified bodies, and a period stated in the
words that introduce a list."""
from __future__ import annotations

import datetime as dt

import pytest

from assistant.findings import Findings
from assistant.plan import Speller, intent_of, normalise, parse

DAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize("question", [
    "we're a US company with no office in Europe but EU customers use our AI, does the act apply?",
    "does it apply to us?",
    "our chatbot only answers FAQs - would the regulation even apply here?",
])
def test_whether_the_act_applies_is_a_scope_question(question):
    assert intent_of(normalise(question)) == "scope"


def test_when_it_applies_stays_a_deadline():
    assert intent_of(normalise("When does it apply?")) == "deadline"


def test_abbreviations_with_an_ampersand_are_not_chat_spelling():
    assert normalise("an AI we only use internally for R&D") == "an AI we only use internally for research and development"
    assert "Q&A" in normalise("a Q&A bot")
    assert normalise("do u need it") == "do you need it"
    assert "information" in normalise("giving wrong info to a notified body")


def test_an_inflected_form_of_a_corpus_word_is_not_a_typo():
    speller = Speller(["fine fines finding label stop prohibited practices"])
    assert speller.correct("start fining companies") == "start fining companies"
    assert speller.correct("stopping it") == "stopping it"
    assert speller.correct("prohibted practises") == "prohibited practices"
    # a spelling variant of the same word still becomes the corpus's spelling
    assert Speller(["labelling label"]).correct("labeling") == "labelling"


def _deadline(question):
    part = parse(normalise(question)).parts[0]
    return Findings().deadline(part, DAY)


def test_training_staff_is_the_ai_literacy_date():
    clauses = _deadline("by when must we train our staff on AI?")
    assert "2 February 2025" in clauses[0].text and ("AI Act", "Article 4(1)") in clauses[0].cites


@pytest.mark.parametrize("question", [
    "when can national authorities start fining companies under the AI Act?",
    "when can they fine us for a banned practice?",
])
def test_when_fines_start_is_the_date_of_chapter_xii(question):
    clauses = _deadline(question)
    assert "2 August 2025" in clauses[0].text and clauses[0].cites[0] == ("AI Act", "Article 113(b)")


def test_sanctions_of_another_law_are_no_date_of_the_act():
    assert not any("Chapter XII" in c.text for c in _deadline("when are sanctions against Russia applied?"))


def test_wrong_info_to_a_notified_body_is_the_fine_of_99_5():
    part = parse(normalise("what are the penalties for giving wrong info to a notified body")).parts[0]
    clauses = Findings().penalty(part, DAY)
    assert clauses and clauses[0].cites[0] == ("AI Act", "Article 99(5)") and "7 500 000" in clauses[0].text


def _rule(question):
    part = parse(normalise(question)).parts[0]
    return Findings().scope(part, DAY)


def test_a_distributor_asking_whether_it_becomes_the_provider_gets_article_25_1():
    found = _rule("can a distributor be treated as the provider?")
    assert found and found[0].cites[0] == ("AI Act", "Article 25(1)")
    # a case named is that case's rule; no actor named is not this rule
    named = _rule("If a distributor repurposes a general-purpose AI system for a high-risk use, who becomes the provider?")
    assert named[0].cites[0] == ("AI Act", "Article 25(1)(c)")
    assert not any(c.cites[0] == ("AI Act", "Article 25(1)") for c in _rule("do we count as provider"))


def test_notified_body_or_self_assessment_is_the_conformity_route():
    found = _rule("do we need a notified body or can we self-assess our high-risk system?")
    assert found and found[0].cites[0] == ("AI Act", "Article 43(2)") and "internal control" in found[0].text
    assert not any(c.cites[0] == ("AI Act", "Article 43(2)") for c in _rule("what are the tasks of notified bodies?"))


def test_who_watches_notified_bodies_is_the_notifying_authority():
    found = _rule("who checks that notified bodies do their job?")
    assert found and found[0].cites[0] == ("AI Act", "Article 28(1)")


def test_not_really_high_risk_then_what_is_article_6_4():
    found = _rule("if we think our Annex III system isn't really high-risk, what do we have to do?")
    assert found and found[0].cites[0] == ("AI Act", "Article 6(4)")


@pytest.mark.slow
def test_a_period_in_the_words_that_introduce_a_list_leads(real_assistant):
    answer = real_assistant.ask("how long must the provider keep the technical documentation?", as_of=DAY)
    assert answer.citations[0].reference == "Article 18(1)"
    assert "10 years" in answer.text.split("\n\n")[0]


@pytest.mark.slow
def test_a_distributor_asking_what_to_do_gets_its_duties(real_assistant):
    answer = real_assistant.ask("we are a distributor of AI systems, what must we do?", as_of=DAY)
    assert answer.citations[0].reference == "Article 24(1)"


def test_a_press_release_written_by_ai_is_the_deployers_disclosure_of_50_4():
    part = parse(normalise("does an AI-written press release need a disclaimer?")).parts[0]
    assert part.intent == "obligations" and "article-50" in part.categories
    clauses = Findings().obligations(part, DAY)
    assert clauses[0].cites[0] == ("AI Act", "Article 50(4)")


def test_what_workers_are_entitled_to_is_being_told_first():
    found = _rule("what rights do workers have when their employer introduces a high-risk AI system?")
    assert found and found[0].cites[0] == ("AI Act", "Article 26(7)")
    # not a question on the prohibition, nor on national rules that protect workers
    assert not _rule("can employers use AI to read employees' emotions in video calls?")
    assert not any(c.cites[0] == ("AI Act", "Article 26(7)") for c in _rule(
        "Can Member States keep national rules that protect workers more strongly against AI?"))


def test_what_the_board_and_the_ai_office_are_for():
    board = _rule("what is the European AI Board for?")
    assert board and board[0].cites[0] == ("AI Act", "Article 66")
    assert not any(c.cites[0] == ("AI Act", "Article 66") for c in _rule("Who runs the secretariat of the AI Board?"))
    office = _rule("what does the AI Office actually do?")
    assert office and office[0].cites[0] == ("AI Act", "Article 3(47)")


def test_the_quality_management_system_is_led_by_article_17_unless_the_simplified_manner_is_asked():
    def first(question):
        part = parse(normalise(question)).parts[0]
        return Findings().obligations(part, DAY)[0].cites[0][1]
    assert first("what's the quality management system requirement about?") == "Article 17(1)"
    assert first("Which companies can meet parts of the quality management system requirement in a simplified way?") \
        == "Article 63(1)"


@pytest.mark.slow
def test_the_article_whose_title_the_question_names_leads(real_assistant):
    answer = real_assistant.ask("what goes into the technical documentation for a high risk AI system", as_of=DAY)
    assert answer.citations[0].reference == "Article 11(1)"
    # a date asked of a titled topic is still the date's provision
    dated = real_assistant.ask("When does the Commission have to evaluate whether the AI Office has sufficient "
                               "powers and resources?", as_of=DAY)
    assert dated.citations[0].reference.startswith("Article 112")


def test_old_systems_are_systems_already_on_the_market():
    public = _deadline("when do public authorities need to bring their old high-risk systems into compliance?")
    assert public[0].cites[0] == ("AI Act", "Article 111(2)") and "2 August 2030" in public[0].text
    generative = _deadline("when does article 50 start to apply to existing generative AI systems?")
    assert generative[0].cites[0] == ("AI Act", "Article 111(4)") and "2 December 2026" in generative[0].text


def test_a_threshold_asked_is_no_definition():
    from assistant.plan import QUANTITY_ASKED

    assert QUANTITY_ASKED.search("what is the compute threshold for systemic risk?")
    assert intent_of("what is the compute threshold for systemic risk?") != "definition"


def test_agree_score_is_a_validated_setting(monkeypatch):
    from assistant.errors import SettingsError
    from assistant.settings import Settings

    monkeypatch.setenv("AIACT_AGREE_SCORE", "0.35")
    assert Settings.from_env().agree_score == 0.35
    monkeypatch.setenv("AIACT_AGREE_SCORE", "lots")
    with pytest.raises(SettingsError, match="AIACT_AGREE_SCORE"):
        Settings.from_env()


@pytest.mark.slow
def test_a_figure_asked_is_led_by_the_provision_that_states_it(real_assistant):
    answer = real_assistant.ask("what is the compute threshold for systemic risk?", as_of=DAY)
    assert answer.citations[0].reference == "Article 51(2)"


@pytest.mark.slow
def test_a_close_question_the_data_and_retrieval_agree_on_is_answered(real_assistant):
    answer = real_assistant.ask("is there a lower fine for small mid-caps?", as_of=DAY)
    assert not answer.abstained and answer.citations[0].reference == "Article 99(6a)"
    assert real_assistant.ask("How do we report a phishing email to the police?", as_of=DAY).abstained


def test_a_fine_asked_by_the_duty_s_category_is_that_category_s_fine():
    part = parse(normalise("whats the fine for not telling ppl they r talking to a bot")).parts[0]
    clauses = Findings().penalty(part, DAY)
    assert clauses[0].cites[0] == ("AI Act", "Article 99(4)") and "15 000 000" in clauses[0].text


@pytest.mark.parametrize("question, corrected", [
    ("our model has 10^24 flops, so we have systemic risk obligations?", True),
    ("does a model trained on 1e23 flops have systemic risk?", True),
    ("our model was trained with 5x10^25 FLOPs, does it have systemic risk?", False),
])
def test_a_compute_below_the_presumption_is_corrected(question, corrected):
    found = Findings().premises(parse(normalise(question)), DAY)
    assert bool(found and found[0][0].fact == "requirements/systemic-risk-routes") == corrected
    if corrected:
        assert found[0][1].cites[0] == ("AI Act", "Article 51(2)")


def test_the_presumptions_compute_is_the_one_article_51_2_writes():
    from assistant.law.model import load_law

    fact = load_law().get("requirements", "systemic-risk-routes")
    words = " ".join(w for s in fact.sources if s.reference == "Article 51(2)" for w in s.words)
    assert f"greater than {fact.get('presumed_above_flop')}" in words


@pytest.mark.parametrize("question, intent", [
    ("so the annex III stuff is pushed to december 2027?", "deadline"),
    ("which high risk systems need a FRIA?", "obligations"),
    ("we moved to a new office in 2025", "other"),
])
def test_a_date_claimed_or_a_duty_asked_by_who_needs_it(question, intent):
    assert intent_of(normalise(question)) == intent


def test_general_purpose_is_spelt_as_the_act_spells_it():
    assert normalise("a general purpose AI model") == "a general-purpose AI model"


def test_a_provider_asking_what_to_do_before_the_market_gets_its_duties():
    part = parse(normalise("what does a provider of a high risk AI system need to do before putting it on the market?")).parts[0]
    assert Findings().obligations(part, DAY)[0].cites[0][1].startswith("Article 16")


def test_how_to_know_whether_a_model_has_systemic_risk_is_the_two_routes():
    found = _rule("how do we know if our model has systemic risk?")
    assert found and found[0].cites[0] == ("AI Act", "Article 51(1)")


@pytest.mark.parametrize("text", [
    "a tool that sorts asylum applications by likely outcome",
    "AI which assesses the risk that a migrant poses a security threat",
    "our AI helps judges research case law and draft judgments",
    "our AI voice assistant answers calls for a pizza place",
])
def test_a_system_described_by_what_it_does_asks_its_tier(text):
    assert intent_of(normalise(text)) == "classification"


@pytest.mark.parametrize("text", [
    "we are a startup in berlin",
    "the AI Act in a nutshell",
    "the tools that the AI Office uses",
])
def test_statements_without_a_system_at_work_keep_their_intent(text):
    assert intent_of(normalise(text)) != "classification"


def test_who_gets_a_job_interview_is_recruitment():
    from assistant.assess import read_facts
    from assistant.procedure import load_procedure

    read = read_facts("we use AI to decide who gets a job interview", load_procedure(DAY))
    assert read["recruitment"].value is True


@pytest.mark.parametrize("question, reference", [
    ("is the AI act relevant if we only sell to customers in the US?", "Article 2(1)(a)"),
    ("does the AI act cover AI built into cars?", "Article 2(2)"),
    ("do the rules apply to an AI model we haven't released yet?", "Article 2(8)"),
    ("is a company in switzerland affected by the AI act?", "Article 2(1)(a)"),
    ("does the ai act replace the gdpr?", "Article 2(7)"),
    ("what does the advisory forum do?", "Article 67(1)"),
    ("what does a notifying authority do?", "Article 28(1)"),
])
def test_scope_and_bodies_asked_in_other_words(question, reference):
    found = _rule(question)
    assert found and found[0].cites[0] == ("AI Act", reference)


def test_nothing_reaching_the_union_is_not_a_plain_yes():
    found = _rule("is the AI act relevant if we only sell to customers in the US?")
    assert found[0].text.startswith("Not if nothing reaches the Union")
    assert not any(c.cites[0] == ("AI Act", "Article 2(7)") for c in _rule("do we need a DPIA and a FRIA under the AI Act and the GDPR?"))


def test_section_b_products_in_the_wording_of_the_day_and_not_car_insurance():
    part = parse(normalise("does the AI act cover AI built into cars?")).parts[0]
    today = Findings().scope(part, DAY)
    before = Findings().scope(part, dt.date(2026, 1, 1))
    assert "Article 60a" in today[0].text and "Articles 102 to 109" in before[0].text
    assert not any(c.cites[0] == ("AI Act", "Article 2(2)") for c in _rule(
        "Does AI-based pricing of car insurance fall under the high-risk insurance use case?"))


def test_a_chatbot_is_told_what_its_transparency_duty_is():
    from assistant.findings import classification

    class P:  # the deciding provision the walk gives for a limited-risk system
        document, reference, title = "AI Act", "Article 50(1)", "Transparency obligations"
        text = "1. Providers shall ensure that AI systems intended to interact directly with natural persons …"
    part = parse(normalise("Is my customer-service chatbot high-risk?")).parts[0]
    clauses = classification(("limited", P(), ()), part, Findings(), DAY)
    assert clauses[0].text.startswith("No, not high-risk by that fact alone: it has the transparency duty of Article 50(1): "
                                      "providers must design AI systems that interact directly")


def test_telling_the_commission_a_model_crossed_the_threshold_is_two_weeks():
    found = _rule("our model crossed 10^25 FLOPs in training last week - how long do we have to tell the Commission?")
    assert found and found[0].cites[0] == ("AI Act", "Article 52(1)") and "two weeks" in found[0].text


def test_big_eu_it_systems_are_the_large_scale_it_systems_of_annex_x():
    clauses = _deadline("by when do the AI components of big EU IT systems like the Schengen Information System have to comply?")
    assert clauses[0].cites[0] == ("AI Act", "Article 111(1)") and "31 December 2030" in clauses[0].text


@pytest.mark.parametrize("question, reference, words", [
    ("our news site uses AI to write articles that an editor checks - do we need to disclose it?", "Article 50(4)", "editorial control"),
    ("is a deepfake parody video allowed if we label it?", "Article 50(4)", "satirical"),
    ("are there exceptions to the ban on emotion recognition at work?", "Article 5(1)(f)", "medical or safety reasons"),
    ("is predictive policing allowed under the AI act?", "Article 5(1)(d)", "solely on the profiling"),
])
def test_exceptions_written_into_the_provision_conclude(question, reference, words):
    found = _rule(question)
    assert found and found[0].cites[0] == ("AI Act", reference) and words in found[0].text


def test_a_ban_asked_without_its_exception_words_is_not_the_exception():
    assert not any(c.cites[0] == ("AI Act", "Article 5(1)(f)") and "medical" in c.text
                   for c in _rule("can employers use AI to read employees' emotions in video calls?"))


def test_whether_a_system_may_do_something_asks_its_tier():
    assert intent_of(normalise("can an AI exploit elderly people's vulnerabilities to sell products?")) == "classification"
    assert intent_of(normalise("can the AI Office fine us?")) != "classification"


@pytest.mark.slow
def test_the_fine_asked_in_a_second_part_is_the_regime_named_in_the_first(real_assistant):
    answer = real_assistant.ask("when do GPAI obligations apply and what happens if we don't comply?", as_of=DAY)
    refs = [c.reference for c in answer.citations[:3]]
    assert refs[0] == "Article 113(b)" and "Article 101(1)" in refs and "Article 99(3)" not in refs


@pytest.mark.parametrize("question, not_reference", [
    ("We only use ChatGPT internally. Does the AI Act apply to us?", "Article 2(1)(a)"),  # 'us' is no country
    ("We built an AI hiring tool that we only use in-house; we haven't released it on the market. Does the AI Act apply?", "Article 2(8)"),
    ("Does the AI Act apply to AI built into our HR software?", "Article 2(2)"),
    ("Do the AI Act rules apply to AI systems built into toys?", "Article 2(2)"),  # toys are Annex I, Section A
    ("We do internal research on our customers' buying habits with an AI tool, is that covered?", "Article 2(6)"),
    ("Do we have to report serious incidents with our systemic-risk model to the AI Office?", "Article 52(1)"),
    ("If a deployer becomes the provider, is the original provider still responsible?", "Article 25(1)"),
    ("Does the board of directors need to approve our AI Act compliance?", "Article 66"),
    ("Do employees have a right to refuse being monitored by an AI tool at work?", "Article 26(7)"),
])
def test_near_misses_do_not_fire_a_rule_that_says_otherwise(question, not_reference):
    assert not any(c.cites and c.cites[0] == ("AI Act", not_reference) for c in _rule(question))


def test_machinery_is_section_b_since_the_omnibus_and_a_fine_for_a_later_duty_is_that_duty_s_date():
    found = _rule("does the AI act apply to AI safety components in industrial machinery?")
    assert found and found[0].cites[0] == ("AI Act", "Article 2(2)")
    assert "2 August 2026" in _deadline("When do fines for transparency violations start?")[0].text
    assert "2 August 2025" in _deadline("when can they fine us for a banned practice?")[0].text
    assert "2 February 2025" in _deadline("When must we train our staff on AI?")[0].text


def test_profiling_is_never_exempt_and_the_answer_says_so():
    found = _rule("Is an AI system that profiles people ever exempt from high-risk under Article 6(3)?")
    assert found[0].text.startswith("Always high-risk where it profiles people")


def test_the_deadline_for_reporting_is_the_duty_s_own_period():
    assert intent_of(normalise("What is the deadline for reporting a serious incident of a high-risk AI system?")) == "obligations"
    assert intent_of(normalise("what is the deadline for high-risk compliance?")) == "deadline"


def test_the_conformity_route_says_when_a_notified_body_is_mandatory_for_biometrics():
    found = _rule("do we need a notified body or can we self-assess our high-risk system?")
    assert "must follow the Annex VII procedure where harmonised standards do not exist" in found[0].text


def test_a_fine_for_a_signatory_is_the_commission_s_own_rule_without_article_99_caps():
    part = parse(normalise("can the AI Office fine a signatory of the code of practice less?")).parts[0]
    clauses = Findings().penalty(part, DAY)
    assert clauses[0].cites[0] == ("AI Act", "Article 101(1)")
    assert not any(("AI Act", "Article 99(6)") in c.cites for c in clauses)


def test_the_list_of_signatories_is_a_document_not_held():
    f = Findings()
    assert f.not_held("who signed the GPAI code of practice?").title.startswith("List of the signatories")
    assert f.not_held("did OpenAI sign the code of practice?") is not None
    assert f.not_held("Meta didn't sign the code of practice — do we have to?") is None
