"""Reading questions: intents and slots however a question is put, follow-ups merged with the
previous turn, and the law-data conclusions saying only what their provisions say."""
from __future__ import annotations

import datetime as dt

import pytest

from assistant.core import clean_text
from assistant.findings import Findings
from assistant.plan import Plan, defined_term, normalise, parse, previous_plan
from assistant.references import find_references

TODAY = dt.date(2026, 12, 2)


def plan_of(question: str, previous: Plan | None = None, as_of=None) -> Plan:
    text, _ = clean_text(question, 2000)
    return parse(normalise(text), as_of, previous)


@pytest.mark.parametrize("question, intent", [
    ("When do the high-risk rules kick in for our HR tool?", "deadline"),
    ("wen do the highrisk rules aply for anex III", "deadline"),
    ("What is the general date from which the AI Act applies?", "deadline"),  # not a definition
    ("when did the EU AI Act come into force?", "deadline"),
    ("What's the fine for not labelling deepfakes?", "penalty"),
    ("What does signing the GPAI code of practice give a provider?", "soft_law"),
    ("Is my customer-service chatbot high-risk?", "classification"),
    ("startup here: AI that picks students. does the AI act treat it as high risk?", "classification"),
    ("What must a deployer of a high-risk AI system do?", "obligations"),
    ("Does a deployer have to keep the logs of a high-risk AI system?", "obligations"),
    ("Does the AI Act apply to AI built purely for military purposes?", "scope"),
    ("How many hours do I have to report a personal data breach under GDPR?", "off_topic"),
    ("What VAT rate applies to software sales in Germany?", "off_topic"),
    ("define provider pls", "definition"),
    ("What does Article 5 say?", "text"),
])
def test_intents(question, intent):
    assert plan_of(question).intent == intent


@pytest.mark.parametrize("question, term", [
    ("What is a deployer?", "deployer"), ("whats a “deployer”??", "deployer"), ("define provider pls", "provider"),
    ("meaning of general purpose ai model", "general-purpose ai model"),  # the Act's spelling
    ("Can you explain what a 'deep fake' is in the AI Act?", "deep fake"),
    ("tell me what 'placing on the market' means", "placing on the market"),
    ("What counts as an AI system according to the act?", "AI system"),
    ("what r SMCs in the ai act", "SMCs"), ("How does the AI Act define ‘emotion recognition system’?",
                                            "emotion recognition system"),
])
def test_every_phrasing_of_a_definition_question(question, term):
    text, _ = clean_text(question, 2000)
    assert defined_term(normalise(text)) == term


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009", " \u200b"])
def test_references_survive_pasted_spaces_and_zero_width_characters(space):
    text, _ = clean_text(f"What does Article{space}5(1)(f) prohibit?", 2000)
    assert [r.reference for r in find_references(text)] == ["Article 5(1)(f)"]
    text, _ = clean_text(f"Is\u00a0Annex{space}III point 4 about employment?", 2000)
    assert "Annex III, point 4" in [r.reference for r in find_references(text)]


def test_curly_quotes_and_zero_width_characters_are_cleaned():
    text, _ = clean_text("what is meant by \u2018emotion recognition\u200b system\u2019\ufeff?", 2000)
    assert "\u200b" not in text and "\ufeff" not in text
    assert defined_term(normalise(text)) == "emotion recognition system"


def test_multi_part_question_has_a_part_per_actor():
    plan = plan_of("What are the obligations of providers and deployers of high-risk AI systems?")
    assert [p.actors for p in plan.parts] == [("provider",), ("deployer",)]
    assert all(p.intent == "obligations" for p in plan.parts)


@pytest.mark.parametrize("question, intents", [
    ("Is my CV screening tool high-risk, and from when?", ["classification", "deadline"]),
    ("Is emotion recognition at work prohibited and since when?", ["classification", "deadline"]),
    ("What's the max fine for not labelling deepfakes, and when does that duty apply?", ["penalty", "deadline"]),
    ("What must providers of high-risk AI systems do, and what's the fine if they don't?",
     ["obligations", "penalty"]),
    ("When do the obligations for providers and deployers apply?", ["deadline"]),  # one question, two actors
    ("Is my CV screening tool high-risk?", ["classification"]),
    ("Our chatbot - is it high-risk?", ["classification"]),
])
def test_a_message_joining_several_questions_gets_a_part_each(question, intents):
    plan = plan_of(question)
    assert [p.intent for p in plan.parts] == intents
    if len(intents) > 1:  # each part keeps its own words, and reads the whole message for its slots
        assert plan.parts[0].clause and plan.parts[0].clause != plan.parts[1].clause
        assert all(p.text == plan.query for p in plan.parts)


def test_must_we_sign_the_code_is_answered_no(findings):
    for question in ("Meta didn't sign the code of practice — do we have to?",
                     "is signing the GPAI code of practice mandatory for model providers?",
                     "Are we obliged to sign the general-purpose AI code of practice?"):
        clauses = findings.soft_law(plan_of(question).parts[0], TODAY)
        assert clauses[0].text.startswith("No, signing is not required"), question
        assert ("AI Act", "Article 56(7)") in clauses[0].cites and ("AI Act", "Article 53(4)") in clauses[0].cites
    gives = findings.soft_law(plan_of("What does signing the GPAI code of practice give a provider?").parts[0], TODAY)
    assert gives[0].text.startswith("Signing lets a provider rely on the code")
    refused = findings.soft_law(plan_of("We didn't sign the code. What happens now?").parts[0], TODAY)
    assert "alternative adequate means" in refused[0].text  # "didn't sign" is not "signing"


def test_follow_up_takes_the_previous_turn():
    first = plan_of("What are the obligations of providers of high-risk AI systems?")
    follow = plan_of("And for deployers?", first)
    assert follow.follow_up and "deployers of high-risk AI systems" in follow.query
    assert follow.parts[0].actors == ("deployer",)
    sme = plan_of("And for SMEs?", plan_of("What is the maximum fine for a prohibited AI practice?"))
    assert sme.intent == "penalty" and sme.parts[0].sme
    # a full new question is not a follow-up
    assert not plan_of("What is a deployer?", first).follow_up
    # history may hold plain strings too
    assert previous_plan(["When do the GPAI obligations apply?"]).intent == "deadline"


def test_original_wording_and_point_in_time():
    assert plan_of("What was the original 2024 date for Annex III?").as_of == dt.date(2026, 7, 26)
    assert plan_of("Is it prohibited?", as_of=dt.date(2026, 12, 1)).as_of == dt.date(2026, 12, 1)


# -- findings from the law data (no index needed) ----------------------------------------------
@pytest.fixture(scope="module")
def findings():
    return Findings()


def test_point_in_time_either_side_of_2_december_2026(findings):
    part = plan_of("Does the nudify ban already apply?").parts[0]
    before = findings.deadline(part, dt.date(2026, 12, 1))[0].text
    after = findings.deadline(part, dt.date(2026, 12, 3))[0].text
    assert before.startswith("From 2 December 2026") and after.startswith("Since 2 December 2026")


def test_deadlines_pick_the_controlling_rule(findings):
    assert findings.deadline(plan_of("AI in a medical device under the MDR: from when do the high-risk "
                                     "obligations apply?").parts[0], TODAY)[0].cites[0] == ("AI Act", "Article 113(c)")
    fines = findings.deadline(plan_of("when can the Commission start fining GPAI providers?").parts[0], TODAY)
    assert "2 August 2026" in fines[0].text and ("AI Act", "Article 113(b)") in fines[0].cites
    legacy = findings.deadline(plan_of("Our GPAI model was released in March 2025. By when must we "
                                       "comply?").parts[0], TODAY)
    assert "2 August 2027" in legacy[0].text and legacy[0].cites[0][1] == "Article 111(3)"
    broad = findings.deadline(plan_of("When do the high-risk obligations apply?").parts[0], TODAY)
    assert "2 December 2027" in broad[0].text and "2 August 2028" in broad[1].text  # the fact that changes it


def test_penalties(findings):
    deep = findings.penalty(plan_of("What's the fine for not labelling deepfakes?").parts[0], TODAY)
    assert "EUR 15 000 000" in deep[0].text and ("AI Act", "Article 99(4)(g)") in deep[0].cites
    sme = findings.penalty(plan_of("We are an SME: max fine for breaching deployer duties?").parts[0], TODAY)
    assert sme[0].cites[0][1] == "Article 99(6)" and "lower" in sme[0].text
    eu = findings.penalty(plan_of("Can EU institutions be fined under the AI Act?").parts[0], TODAY)
    assert "EUR 1 500 000" in eu[0].text
    told = findings.penalty(plan_of("What is the fine for giving misleading information to a notified body?").parts[0],
                            TODAY)
    assert "EUR 7 500 000" in told[0].text and told[0].cites[0][1] == "Article 99(5)"


def test_the_size_note_names_small_mid_caps_only_where_article_99_6a_covers_the_fine(findings):
    """Article 99(6a) caps SMCs' fines of paragraphs 4 and 5 only; 99(6) covers SMEs for 3, 4 and 5."""
    note = lambda q: next(c.text for c in findings.penalty(plan_of(q).parts[0], TODAY) if "If you are" in c.text)
    assert "mid-cap" not in note("What is the fine for using a prohibited AI practice?")
    assert "mid-cap" in note("What is the fine for breaking the high-risk obligations?")


def test_false_premises_are_corrected(findings):
    for question, words in [("Given the fine of 10 % of turnover for prohibited practices, what now?", "Not 10 %"),
                            ("Since signing the code of practice gives us a presumption of conformity, are we done?",
                             "do not grant a presumption"),
                            ("Now that the Omnibus postponed the GPAI obligations to 2027, what must we do?",
                             "apply from 2 August 2025"),
                            # "the Act bans all X": each X its own fact, said by the provisions it cites
                            ("Since the AI Act bans all emotion recognition, can we use it at work?",
                             "does not ban all emotion recognition"),
                            ("Since the Act prohibits all biometric identification, can airports scan faces?",
                             "does not ban all biometric identification"),
                            ("The AI Act bans high-risk AI, so our hiring tool is illegal?", "are not banned"),
                            ("deepfakes are banned under the AI Act now, right?", "does not ban deep fakes"),
                            ("Since the max fine is EUR 20 million, what do we risk?", "Not EUR 20 000 000")]:
        plan = plan_of(question)
        corrections = findings.premises(plan, TODAY)
        assert corrections and words in corrections[0][1].text, question
    for asked in ("Which uses of emotion recognition does the AI Act ban?", "Does the AI Act ban emotion recognition at work?"):
        assert not findings.premises(plan_of(asked), TODAY), asked
    # accepting a prohibition is no claim that all deep fakes are banned
    assert all(p.fact != "premises/deepfakes-banned" for p, _ in findings.premises(
        plan_of("Since the new prohibitions on intimate deepfakes already apply from August 2025..."), TODAY))


def test_documents_not_held_are_named(findings):
    doc = findings.not_held("What does the Copyright chapter of the GPAI code of practice say about robots.txt?")
    assert doc is not None and doc.url.startswith("https://")
    assert findings.not_held("What is a deployer?") is None


def test_fine_tuning_is_no_fine_and_a_gpai_modifier_gets_the_compute_criterion(findings):
    plan = plan_of("Our startup fine-tunes Llama and sells it via API. Are we a GPAI provider?")
    assert plan.intent != "penalty" and plan_of("When do we fine-tune the model?").intent != "penalty"
    rule = findings.scope(plan.parts[0], TODAY)
    assert "a third of the training compute" in rule[0].text
    assert rule[0].cites == (("Guidelines on general-purpose AI models", "para. 63"),)
    system = findings.scope(plan_of("If we modify the intended purpose of an AI system so it becomes high-risk, "
                                    "are we the provider?").parts[0], TODAY)
    assert system[0].cites[0][1].startswith("Article 25(1)")  # an AI system, not a model: Article 25


def test_a_fine_asked_for_a_named_infringement_is_concluded(findings):
    clauses = findings.penalty(plan_of("How much can we be fined for using a banned AI system?").parts[0], TODAY)
    assert "EUR 35 000 000" in clauses[0].text and clauses[0].strength >= 2  # stands even on weak retrieval


def test_a_duty_the_data_words_is_concluded_however_specific(findings):
    clauses = findings.obligations(plan_of("Do I need to tell users that they are talking to a bot?").parts[0], TODAY)
    assert clauses[0].cites[0] == ("AI Act", "Article 50(1)") and "interacting with an AI system" in clauses[0].text


def test_more_founder_questions_are_concluded(findings):
    us = findings.scope(plan_of("We're a US company. Does the AI Act apply to us if our app is used in France?")
                        .parts[0], TODAY)
    assert us[0].strength >= 2 and "third country" in us[0].text
    news = findings.obligations(plan_of("Our AI writes news articles. Do we have to label them?").parts[0], TODAY)
    assert news[0].cites[0] == ("AI Act", "Article 50(4)")  # the duty's own actor: the deployer
    detail = plan_of("Must a news outlet disclose AI-written articles on public-interest topics if an editor "
                     "reviews and takes responsibility for them?").parts[0]
    assert findings.obligations(detail, TODAY) == []  # an exception in the detail is the passages' to quote
    sme = findings.penalty(plan_of("Are SMEs fined less under the AI Act?").parts[0], TODAY)
    assert sme[0].cites[0][1] == "Article 99(6)" and "lower" in sme[0].text
    legacy = findings.deadline(plan_of("Our GPAI model came out in 2024. When do we need to comply?").parts[0], TODAY)
    assert legacy[0].cites[0][1] == "Article 111(3)" and "2 August 2027" in legacy[0].text


def test_a_specific_word_wins_over_a_broad_one_and_each_part_reads_its_own_words(findings):
    annex_i = findings.deadline(plan_of("When do the Annex I high-risk obligations apply?").parts[0], TODAY)
    assert "2 August 2028" in annex_i[0].text  # 'Annex I' is specific; 'high-risk' alone is broad
    plan = plan_of("When did the GPAI model obligations start to apply and how much can the Commission fine "
                   "a GPAI provider?")
    assert [p.intent for p in plan.parts] == ["deadline", "penalty"]
    import dataclasses
    own = findings.deadline(dataclasses.replace(plan.parts[0], text=plan.parts[0].clause), TODAY)
    assert "2 August 2025" in own[0].text and "fine" not in own[0].text
    check = findings.obligations(plan_of("What does a distributor have to check before selling a high-risk AI "
                                         "system?").parts[0], TODAY)
    assert check[0].cites[0] == ("AI Act", "Article 24(1)")


def test_casual_questions_whether_a_use_is_allowed_are_classification():
    for q in ("can i use ai to screen cvs lol", "r chatbots ok under the ai act", "Am I allowed to sell a face-rating app?",
              "may we deploy emotion recognition in our shops?"):
        assert plan_of(q).intent == "classification", q
    assert plan_of("can we use the code of practice to show compliance?").intent == "soft_law"
    assert plan_of("can we use it from when?").intent == "deadline"
    assert normalise("do i need to label ai pics") == "do i need to label ai images"
    assert normalise("our co-founder asked") == "our co-founder asked"
    assert normalise("who gets into uni") == "who gets into university"
    assert plan_of("hiring AI - high risk or not?").intent == "classification"
    assert plan_of("do chatbots need a disclaimer").intent == "obligations"


# -- round 3: conclusions in the question's terms ----------------------------------------------

@pytest.mark.parametrize("question", [
    "Does the AI Act ban social scoring by private companies?",
    "does the act prohibit emotion recognition at work",
    "Can banks use AI to set credit limits?",
])
def test_whether_a_practice_is_banned_is_a_classification(question):
    assert plan_of(question).intent == "classification"


def test_a_follow_up_asks_its_own_intent_with_the_previous_turns_slots():
    first = plan_of("Is an AI that scores the creditworthiness of loan applicants high-risk?")
    follow = plan_of("and when do those rules apply?", first)
    assert follow.follow_up and [p.intent for p in follow.parts] == ["deadline"]
    assert "creditworthiness" in follow.parts[0].text  # the system comes from the previous turn
    assert [p.intent for p in plan_of("And for SMEs?", plan_of("What is the fine for a banned practice?")).parts] \
        == ["penalty"]  # a follow-up with no intent of its own keeps the previous one


@pytest.mark.parametrize("question, prohibited, opening", [
    ("Does the AI Act ban social scoring?", True, "Yes —"),
    ("Is social scoring prohibited?", True, "Yes —"),
    ("Is an app that undresses people legal?", True, "No —"),
    ("Is an AI lie detector at the border allowed?", False, "Allowed, but as a high-risk AI system:"),
    ("Is a CV screening tool high-risk?", False, "Likely yes:"),
    ("Is a CV screening tool banned?", False, "Not prohibited on this description, but high-risk:"),
])
def test_the_verdict_answers_in_the_questions_terms(question, prohibited, opening):
    from assistant.findings import verdict

    assert verdict(question, prohibited) == opening


def test_a_practice_prohibited_from_a_later_date_concludes_with_its_point_and_date():
    from types import SimpleNamespace

    from assistant.findings import Clause, dated_prohibition

    point = SimpleNamespace(document="AI Act", reference="Article 5(1)(ba)", text="(ba) the placing on the market …")
    before = Clause("From 2 December 2026, the prohibitions added by the Omnibus: … apply.", (("AI Act", "Article 113(a)"),))
    after = Clause("Since 2 December 2026, the prohibitions added by the Omnibus: … have applied.",
                   (("AI Act", "Article 113(a)"),))
    c = dated_prohibition(before, point, "Are nudify apps prohibited?")
    assert c.text.startswith("Yes — from 2 December 2026, Article 5(1)(ba) prohibits: “(ba) the placing")
    assert c.cites == (("AI Act", "Article 5(1)(ba)"), ("AI Act", "Article 113(a)"))  # the point leads
    assert dated_prohibition(after, point, "Is a nudify app legal?").text.startswith("No — since 2 December 2026,")
    assert dated_prohibition(before, point, "Is a nudify app legal?").text.startswith("No, not from 2 December 2026:")
    assert dated_prohibition(before, None, "Are nudify apps prohibited?") is None


def test_the_words_of_a_listed_point_keep_its_exception():
    from types import SimpleNamespace

    from assistant.findings import point_words

    p = SimpleNamespace(text="(b) AI systems intended to be used to evaluate the creditworthiness of natural persons "
                             "or establish their credit score, with the exception of AI systems used for the purpose "
                             "of detecting financial fraud;")
    words = point_words(p)
    assert words.startswith("AI systems intended") and words.endswith("detecting financial fraud")


def test_a_dated_points_data_names_points_of_its_own_rule(findings):
    for f in findings.law.subject("dates"):
        for reference in (f.get("points") or {}):
            point = reference.rsplit("(", 1)[1].rstrip(")")
            assert f"({point})" in str(f.get("subject")), (f.id, reference)


def test_an_actor_asking_what_to_do_gets_its_duties(findings):
    bank = findings.obligations(plan_of("Our bank deploys a high-risk AI system to assess loan applicants. "
                                        "What do we have to do as the deployer?").parts[0], TODAY)
    assert bank and bank[0].cites[0][1].startswith("Article 26") and bank[0].strength >= 2
    importer = findings.obligations(plan_of("We import a high-risk AI system from a supplier in China. "
                                            "What must we check before we put it on the EU market?").parts[0], TODAY)
    assert importer and importer[0].cites[0][1] == "Article 23(1)"


def test_a_comparison_of_two_fines_gives_both(findings):
    both = findings.penalty(plan_of("Which is fined more: breaking an Article 5 prohibition or breaching the "
                                    "deployer obligations?").parts[0], TODAY)
    text = " ".join(c.text for c in both)
    assert "EUR 35 000 000" in text and "EUR 15 000 000" in text


def test_the_product_manufacturer_is_the_provider_of_a_safety_component(findings):
    found = findings.scope(plan_of("We make lifts and build an AI safety component into them. "
                                   "Are we the provider of that AI system?").parts[0], TODAY)
    assert found and found[0].cites[0][1] == "Article 25(3)" and found[0].text.startswith("Yes")
    assert not findings.scope(plan_of("What two conditions make an AI product or safety component high-risk "
                                      "under Article 6(1)?").parts[0], TODAY)  # not asked who the provider is


def test_an_employer_asking_whether_it_may_use_a_practice_is_a_classification():
    assert plan_of("Can an employer use AI to monitor employees' emotions?").intent == "classification"


@pytest.mark.parametrize("question, opening", [
    ("Are deepfakes allowed under the AI act?", "Yes, allowed on this description, but"),
    ("Are deepfakes banned?", "Not prohibited on this description:"),
    ("Is my chatbot high-risk?", "No, not high-risk by that fact alone:"),
])
def test_a_transparency_duty_is_concluded_in_the_questions_terms(question, opening):
    from assistant.findings import limited_verdict

    assert limited_verdict(question) == opening


def test_a_startups_gpai_fine_is_the_commissions_not_the_sme_rule(findings):
    found = findings.penalty(plan_of("What fine can a startup get for breaching the GPAI obligations?").parts[0], TODAY)
    assert found[0].cites[0][1] == "Article 101(1)"
    assert not any("SMEs" in c.text for c in found)  # Article 99(6) does not cover Article 101's fines


def test_a_code_is_not_a_harmonised_standard(findings):
    found = findings.soft_law(plan_of("Is the GPAI code of practice a harmonised standard?").parts[0], TODAY)
    assert found and "presumption of conformity" in found[0].text


def test_an_actors_deadline_is_the_date_of_its_duties(findings):
    found = findings.deadline(plan_of("When do the obligations for importers and distributors apply?").parts[0], TODAY)
    text = " ".join(c.text for c in found)
    assert found[0].cites[0][1] == "Article 113(c)" and "2 December 2027" in text and "2 August 2028" in text


def test_two_fines_compared_by_the_word_compare(findings):
    both = findings.penalty(plan_of("Compare the fines for prohibited practices and for supplying misleading "
                                    "information.").parts[0], TODAY)
    assert [c.cites[0][1] for c in both][:2] == ["Article 99(3)", "Article 99(5)"]


def test_a_duty_asked_by_its_own_name_answers_however_the_asker_describes_itself(findings):
    found = findings.obligations(plan_of("Do we need a fundamental rights impact assessment as a bank using credit "
                                         "scoring AI?").parts[0], TODAY)
    concluded = [c for c in found if c.kind != "condition"]
    assert [c.cites[0][1] for c in concluded] == ["Article 27(1)"]
    assert not findings.obligations(plan_of("What are the obligations under the AI Act?").parts[0], TODAY)


@pytest.mark.parametrize("question, intent", [
    ("Since the AI Act only applies to EU companies, our Swiss startup is fine, right?", "scope"),
    ("How much can we be fined for using a banned AI system?", "penalty"),
    ("is it legal to use ai for predictive policing", "classification"),
])
def test_fine_the_adjective_is_no_penalty(question, intent):
    assert plan_of(question).intent == intent


def test_more_ways_founders_ask(findings):
    assert findings.obligations(plan_of("What does a provider have to do before putting a high-risk AI system on "
                                        "the market?").parts[0], TODAY)[0].cites[0][1].startswith("Article 16")
    legacy = findings.deadline(plan_of("When do we have to comply if our GPAI model launched in June 2025?").parts[0],
                               TODAY)
    assert legacy[0].cites[0][1] == "Article 111(3)"
    hr = findings.deadline(plan_of("Our HR software uses AI to recommend promotions. By when must we comply?").parts[0],
                           TODAY)
    assert hr[0].cites[0][1] == "Article 113(c)" and "2 December 2027" in hr[0].text
    fines = findings.penalty(plan_of("what fines apply if our hiring AI breaks the rules").parts[0], TODAY)
    assert [c.cites[0][1] for c in fines][:1] == ["Article 99(3)"]
    swiss = findings.scope(plan_of("Since the AI Act only applies to EU companies, our Swiss startup is fine, "
                                   "right?").parts[0], TODAY)
    assert swiss and swiss[0].cites[0][1].startswith("Article 2(1)")


def test_a_how_quickly_question_leads_with_the_passage_that_states_the_period():
    from types import SimpleNamespace as S

    from assistant.answer import _stating_duration

    first = S(provision=S(text="1. Providers shall report any serious incident to the market surveillance authorities."))
    second = S(provision=S(text="2. The report shall be made not later than 15 days after the provider becomes aware."))
    assert _stating_duration([first, second], "How quickly must a provider report a serious incident?") is second
    assert _stating_duration([first, second], "Who receives serious incident reports?") is None
    assert _stating_duration([second, first], "How quickly must a provider report?") is None  # the best states it


def test_the_fine_asked_with_a_tier_is_the_fine_for_that_tier(findings):
    import dataclasses

    part = plan_of("Is our AI for grading exams high-risk, and what are the fines if we don't comply?").parts[1]
    assert part.intent == "penalty"
    part = dataclasses.replace(part, text=part.clause)  # as the conclusion reads a part: in its own words
    assert findings.penalty(part, TODAY, "high-risk")[0].cites[0][1] == "Article 99(4)"
    assert findings.penalty(part, TODAY, "prohibited")[0].cites[0][1] == "Article 99(3)"



def test_a_date_and_the_code_asked_together_are_two_parts():
    assert [p.intent for p in plan_of("When do the GPAI rules apply and does signing the code help?").parts] \
        == ["deadline", "soft_law"]
    assert [p.intent for p in plan_of("Meta didn't sign the code of practice - do we have to?").parts] == ["soft_law"]


@pytest.mark.parametrize("question, prohibited, opening", [
    ("Does the AI Act ban AI in hiring since it's high-risk?", False, "Not prohibited on this description, but high-risk:"),
    ("Is it legal to use face recognition everywhere now that the AI Act bans all biometrics?", False,
     "Allowed, but as a high-risk AI system:"),
    ("Since it is high-risk, is our hiring tool banned?", False, "Not prohibited on this description, but high-risk:"),
])
def test_the_verdict_reads_the_main_question_not_its_reasons(question, prohibited, opening):
    from assistant.findings import verdict

    assert verdict(question, prohibited) == opening


@pytest.mark.parametrize("question, intent", [
    ("Is an AI system for selecting job applicants a high-risk AI system?", "classification"),
    ("Is our chatbot a high-risk AI system?", "classification"),
    ("Is emotion recognition at work a prohibited AI practice?", "classification"),
    ("Is registration required for a high-risk AI system?", "obligations"),  # a duty of such a system, not its tier
    ("What is a high-risk AI system?", "definition"),
])
def test_the_tier_named_as_what_the_system_is_asks_its_classification(question, intent):
    assert parse(question).intent == intent


@pytest.mark.parametrize("question", [
    "Is an AI that makes fake sexual videos of someone without consent banned yet?",
    "Is social scoring still prohibited?",
    "Is our CV screener high-risk now?",
])
def test_banned_yet_or_still_asks_the_tier_on_the_day(question):
    assert parse(question).intent == "classification"


def test_banned_yet_before_the_day_is_not_yet():
    from assistant.findings import Clause, dated_prohibition

    class Point:
        document, reference, title = "AI Act", "Article 5(1)(ba)", ""
        text = "(ba) the placing on the market … without that person’s consent;"

    dated = Clause("From 2 December 2026, the prohibitions added by the Omnibus apply.", (("AI Act", "Article 113(a)"),))
    yet = dated_prohibition(dated, Point(), "Is it banned yet?")
    assert yet.text.startswith("Not yet — from 2 December 2026, Article 5(1)(ba) prohibits:")
    assert dated_prohibition(dated, Point(), "Is it banned?").text.startswith("Yes — from 2 December 2026")
    since = Clause("Since 2 December 2026, the prohibitions added by the Omnibus have applied.", dated.cites)
    assert dated_prohibition(since, Point(), "Is it banned yet?").text.startswith("Yes — since 2 December 2026")


@pytest.mark.parametrize("question", [
    "do i need ce marking for my ai credit scoring thing",
    "Do we need a conformity assessment for our hiring tool?",
    "r chatbots supposed to tell ppl they are talking to a bot?",
])
def test_a_duty_asked_without_an_article_or_by_what_one_is_supposed_to_do_is_an_obligations_question(question):
    assert parse(question).intent == "obligations"


def test_supposed_to_without_a_duty_verb_stays_a_deadline_question():
    question = "Under the original timetable, by when were all of the AI Act's rules supposed to be in application?"
    assert parse(question).intent == "deadline"


def _scored(reference: str, text: str, score: float = 1.0, reason: str = "retrieved"):
    from aiact.corpus.provision import BINDING, Provision
    from assistant.retrieve import Scored

    p = Provision(document="AI Act", reference=reference, title="", text=text, url="", kind=BINDING,
                  version="", source="", path=(), valid_from=dt.date(2024, 8, 1), valid_to=None,
                  amendment="", amended_by="", order=0, extra=())
    return Scored(p, score, score, reason)


def test_a_definition_asked_as_what_is_an_x_leads_with_its_article_3_point():
    from assistant.answer import _lead

    use = _scored("Article 57(9)(b)", "(b) supporting the sharing of best practices in the AI regulatory sandbox;")
    definition = _scored("Article 3(55)", "(55) ‘AI regulatory sandbox’ means a controlled framework …", 0.9,
                         "definition")
    assert _lead([use, definition], "What is an AI regulatory sandbox?")[0] is definition
    # not a definition question: the ranking decides
    assert _lead([use, definition], "Who supervises an AI regulatory sandbox?")[0] is use


def test_a_list_asked_for_is_led_by_the_provision_that_introduces_it_with_its_items():
    from assistant.answer import _lead, compose, introduces_list
    from assistant.retrieve import Retrieval

    head = _scored("Article 55(1)", "1. … providers of general-purpose AI models with systemic risk shall:", 0.9)
    a = _scored("Article 55(1)(a)", "(a) perform model evaluation, including adversarial testing;", 0.8)
    b = _scored("Article 55(1)(b)", "(b) assess and mitigate possible systemic risks at Union level;", 1.0)
    d = _scored("Article 55(1)(d)", "(d) ensure an adequate level of cybersecurity protection.", 0.7)
    question = "What extra obligations apply to providers of GPAI models with systemic risk?"
    assert introduces_list(head.provision) and not introduces_list(b.provision)
    assert _lead([b, head, a], question)[0] is head
    assert _lead([b, head, a], "Must providers of systemic-risk models assess systemic risks?")[0] is b
    answer = compose(question, Retrieval([b, head, a, d], TODAY), {}, TODAY,
                     parts=lambda p: [a.provision, b.provision, d.provision] if p is head.provision else [])
    first = answer.text.split("\n\n")[0]
    assert "adversarial testing" in first and "cybersecurity" in first  # the items stand in the first paragraph
    assert [c.reference for c in answer.citations][:4] == ["Article 55(1)", "Article 55(1)(a)",
                                                          "Article 55(1)(b)", "Article 55(1)(d)"]


def test_how_often_is_answered_by_a_frequency_and_how_long_by_the_period_of_the_subject():
    from assistant.answer import _lead

    term = _scored("Article 67(4)", "4. The term of office of the members shall be two years.", 0.85)
    meets = _scored("Article 67(7)", "7. The advisory forum shall hold meetings at least twice a year.", 1.0)
    assert _lead([meets, term], "How often does the advisory forum have to meet?")[0] is meets
    assert _lead([term, meets], "How often does the advisory forum have to meet?")[0] is meets
    dates = _scored("Article 111(2)", "2. … shall comply by 2 August 2030.", 1.0, "application date")
    review = _scored("Article 112(7)", "7. By 2 August 2028 and every three years thereafter, the Commission "
                                       "shall evaluate codes of conduct.", 0.97, "application date")
    providers = _scored("Article 19(1)", "1. Providers shall keep the logs for at least six months.", 0.94)
    deployers = _scored("Article 26(6)", "6. Deployers shall keep the logs for at least six months.", 0.93)
    lead = _lead([dates, review, providers, deployers], "We deploy a high-risk AI system. How long do we keep its logs?")
    assert lead[0] is deployers


def test_how_long_led_by_a_list_of_conditions_is_led_by_the_item_that_states_the_period():
    from assistant.answer import _lead

    head = _scored("Article 60(4)", "4. Providers may conduct the testing only where all of the following conditions are met:")
    items = [_scored("Article 60(4)(a)", "(a) the provider has drawn up a real-world testing plan;").provision,
             _scored("Article 60(4)(b)", "(b) the authority has approved it; where it has not answered within "
                                         "30 days, the plan shall be understood to have been approved;").provision,
             _scored("Article 60(4)(f)", "(f) the testing does not last longer than necessary and in any case not "
                                         "longer than six months;").provision]
    lead = _lead([head], "How long may a high-risk AI system be tested in real-world conditions?",
                 parts=lambda p: items)
    assert lead[0].provision.reference == "Article 60(4)(f)"


def test_the_entry_into_force_is_concluded_with_its_day_from_the_text_that_gives_it(findings):
    for question in ("On what date did the AI Act enter into force?", "when did the EU AI Act come into force?"):
        clauses = findings.deadline(plan_of(question).parts[0], TODAY)
        assert clauses and "1 August 2024" in clauses[0].text
        assert ("Digital Omnibus (Regulation (EU) 2026/1744)", "Recital 1") in clauses[0].cites
