"""Which provision leads an answer: the one that contradicts the false premise in the question's
own terms, and the document the question asks for ("according to the GPAI guidelines",
"under the Code of Practice"). Fast tests read the plan and the law data; the slow ones ask the
real assistant on the real index."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from assistant.core import Assistant, clean_text
from assistant.findings import Findings
from assistant.plan import named_document, normalise, parse

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def findings():
    return Findings()


def plan_of(question: str):
    text, _ = clean_text(question, 2000)
    return parse(normalise(text))


def leading(findings, question: str) -> list[str]:
    """The references a premise correction cites, in the order the answer cites them."""
    plan = plan_of(question)
    found = findings.premises(plan, TODAY)
    assert found, question
    premise, clause = found[0]
    # _contradicting_first reads only the law data: a stand-in for the assistant is enough
    ordered = Assistant._contradicting_first(SimpleNamespace(findings=findings), premise, clause, plan, TODAY)
    assert set(ordered.cites) <= set(clause.cites)  # reordered; only a use not described is dropped
    return [ref for _, ref in ordered.cites]


@pytest.mark.parametrize("question, first", [
    # open source: a model's premise is contradicted by the GPAI exception and its limits
    ("Open-source models are fully exempt, so no copyright policy for our open-weights model?", "Article 53(2)"),
    ("Our open-source LLM is completely exempt from the AI Act, isn't it?", "Article 53(2)"),
    # … an AI system's by the scope rule
    ("Open-source AI systems are fully exempt from the AI Act, so our open-source CV screener is fine?",
     "Article 2(12)"),
    # the provider, not the deployer: the point that says so before the words that introduce it
    ("Deployers must carry out the conformity assessment for a high-risk AI system, right?", "Article 16(f)"),
    ("Our resellers have to do the conformity assessment for our high-risk tool, don't they?", "Article 16(f)"),
    # "only high-risk AI is regulated", said of a chatbot or of a model
    ("Since the AI Act only applies to high-risk AI, our support chatbot has no duties?", "Article 50(1)"),
    ("As the AI Act only regulates high-risk AI, our GPAI model has nothing to do?", "Article 53(1)"),
    ("The AI Act only applies to high-risk systems, so social scoring of customers is fine?", "Article 5(1)"),
    # "the Omnibus deleted Article 50": the duty the question names
    ("Since the Omnibus deleted Article 50, we don't need to label deepfakes anymore?", "Article 50(4)"),
    ("The Omnibus scrapped the chatbot transparency rule, right?", "Article 50(1)"),
    # "all AI in <area> is banned", said of a use Annex III lists: the point that lists it
    ("The AI Act bans all AI in hiring, so we have to switch off our CV screener?", "Annex III, point 4(a)"),
    ("all AI for credit scoring is illegal now, isn't it?", "Annex III, point 5(b)"),
    # … and of a use it does not list: the prohibitions are the narrow list of Article 5
    ("Since the AI Act bans all AI in policing, can the police still use AI to analyse crime statistics?",
     "Article 5(1)"),
])
def test_the_provision_that_contradicts_the_premise_leads(findings, question, first):
    assert leading(findings, question)[0] == first


def test_an_annex_iii_point_is_cited_only_for_the_use_it_lists(findings):
    cited = leading(findings, "The AI Act bans all AI in hiring, so we have to switch off our CV screener?")
    assert "Annex III, point 5(b)" not in cited and "Annex III, point 3(b)" not in cited
    assert not [r for r in leading(findings, "Since the AI Act prohibits all AI in education, must our school drop "
                                             "its tutoring app?") if r.startswith("Annex III")]


@pytest.mark.parametrize("question, document", [
    ("Since the Commission guidelines are binding law, must we follow every example in the GPAI guidelines?",
     "Guidelines on general-purpose AI models"),
    ("The prohibited practices guidelines are binding, so we must follow them?", "Guidelines on prohibited AI practices"),
])
def test_a_binding_guidelines_premise_is_corrected_by_the_guidelines_named(findings, question, document):
    plan = plan_of(question)
    premise, clause = findings.premises(plan, TODAY)[0]
    ordered = Assistant._contradicting_first(SimpleNamespace(findings=findings), premise, clause, plan, TODAY)
    assert ordered.cites[0][0] == document


def test_the_data_order_stands_when_the_question_names_no_subject_of_its_own(findings):
    # "SMEs are exempt": the fines rule comes first, whatever else the correction cites
    assert leading(findings, "Given that SMEs are exempt from the AI Act, do we need to worry?")[0] == "Article 99(6)"
    assert leading(findings, "Since the AI Act bans all emotion recognition, can we use it in our call centre?")[0] \
        == "Article 5(1)(f)"


@pytest.mark.parametrize("question, document, kind", [
    ("According to the Commission's GPAI guidelines, when is a model general-purpose?",
     "Guidelines on general-purpose AI models", "guidelines"),
    ("What do the prohibited-practices guidelines say about emotion recognition at work?",
     "Guidelines on prohibited AI practices", "guidelines"),
    ("According to the draft guidelines, is ranking applications a narrow procedural task?",
     "Draft guidelines on high-risk classification", "guidelines"),
    ("What do the Article 50 guidelines say about deep fake adverts?", "Guidelines on transparency (Article 50)",
     "guidelines"),
    ("How often must signatories assess their Framework under the Code of Practice?",
     "GPAI Code of Practice (Safety and Security)", "code of practice"),
    ("Which provision of the Digital Omnibus changed the high-risk dates?",
     "Digital Omnibus (Regulation (EU) 2026/1744)", "amending act"),
    ("According to the guidelines, does the AI Act apply at home?", None, "guidelines"),
    ("When do the prohibitions apply?", None, None),
])
def test_the_plan_says_which_document_is_asked_for(question, document, kind):
    part = plan_of(question).parts[0]
    assert (part.document, part.source_kind) == (document, kind)
    assert named_document(question) == document


@pytest.mark.parametrize("question, intent", [
    # what the code sets: its content, answered by its own measures
    ("How often must signatories assess their Framework under the Code of Practice?", "obligations"),
    ("What must the Framework contain under the GPAI Code of Practice?", "obligations"),
    # what the code is worth: its legal status, answered by the Act
    ("Is the code of practice legally binding?", "soft_law"),
    ("What does signing the GPAI code of practice give a provider?", "soft_law"),
    ("Do signatories get a presumption of conformity under the code of practice?", "soft_law"),
    ("Now that the code of practice is binding, are its commitments enforceable against us?", "soft_law"),
])
def test_the_code_content_is_not_its_legal_status(question, intent):
    assert plan_of(question).intent == intent


def test_the_document_named_leads_among_passages_of_its_kind():
    from assistant.answer import _lead
    from assistant.retrieve import Scored
    from aiact.corpus.provision import Provision

    def passage(document: str, reference: str, score: float) -> Scored:
        p = Provision(document=document, reference=reference, title="", text=f"({reference[-2:]}) Some guidance text.",
                      url="", kind="guidelines", version="", source="x.md")
        return Scored(p, score, score, "retrieved")

    results = [passage("Guidelines on prohibited AI practices", "para. 10", 0.9),
               passage("Guidelines on general-purpose AI models", "para. 20", 0.8)]
    question = "According to the GPAI guidelines, what counts?"
    assert _lead(results, question)[0].provision.reference == "para. 10"
    lead = _lead(results, question, source=("guidelines", "Guidelines on general-purpose AI models"))
    assert lead[0].provision.reference == "para. 20"


@pytest.mark.slow
@pytest.mark.parametrize("question, document, reference", [
    ("Open-weights models are completely exempt from the AI Act, so no training data summary for our LLM?",
     "AI Act", "Article 53(2)"),
    ("Our distributors must do the conformity assessment for the high-risk system we make, right?",
     "AI Act", "Article 16(f)"),
    ("How often must signatories assess their Framework under the Code of Practice?",
     "GPAI Code of Practice (Safety and Security)", "Measure 1.3"),
    ("Since the Commission guidelines are binding law, must we apply every example in the GPAI guidelines?",
     "Guidelines on general-purpose AI models", "para. 9"),
])
def test_the_real_answer_leads_with_it(real_assistant, question, document, reference):
    answer = real_assistant.ask(question)
    assert not answer.abstained
    assert (answer.citations[0].document, answer.citations[0].reference) == (document, reference)


def test_the_use_described_is_said_in_the_words_of_its_point(findings):
    question = "The AI Act bans all AI in hiring, so we have to switch off our CV screener?"
    plan = plan_of(question)
    premise, clause = findings.premises(plan, TODAY)[0]
    stand_in = SimpleNamespace(findings=findings)
    ordered = Assistant._contradicting_first(stand_in, premise, clause, plan, TODAY)
    said = Assistant._described_uses(stand_in, premise, ordered, TODAY)
    assert [c.cites for c in said] == [(("AI Act", "Annex III, point 4(a)"),)]
    assert "“AI systems intended to be used for the recruitment or selection of natural persons”" in said[0].text
    # a use Annex III does not list gets no such sentence
    plan = plan_of("Since the AI Act bans all AI in policing, can the police use AI to analyse crime statistics?")
    premise, clause = findings.premises(plan, TODAY)[0]
    assert Assistant._described_uses(stand_in, premise, Assistant._contradicting_first(
        stand_in, premise, clause, plan, TODAY), TODAY) == []


@pytest.mark.slow
def test_the_real_answer_concludes_on_the_use_described_with_markers_that_back_it(real_assistant):
    from assistant.answer import unbacked

    answer = real_assistant.ask("The AI Act bans all AI in hiring, so we have to switch off our CV screener?")
    head = answer.text.split("\n\n", 1)[0]
    assert answer.citations[0].reference == "Annex III, point 4(a)"
    assert "recruitment or selection" in head and head.startswith("Not so")
    assert unbacked(answer) == []
