"""What decides a refusal before any passage is read: a question about another law is refused
even when it shares the Act's words, and an AI Act question that mentions another law is not;
a casual five-letter word counts as covered by its longer form in the passages."""
from __future__ import annotations

import pytest

from assistant.plan import intent_of, is_other_law, normalise, parse
from assistant.retrieve import coverage
from aiact.corpus.provision import Provision


@pytest.mark.parametrize("question", [
    "Does the Cyber Resilience Act require us to report actively exploited vulnerabilities?",
    "What does the Product Liability Directive say about software?",
    "Is training an AI model on copyrighted books fair use in the US?",
    "How do I register a trademark for my AI startup's name?",
    "within how many hours do we have to notify the supervisory authority about a data breach",
    "How long is the notice period for ending an employment contract?",
    "What does the US Executive Order on AI require from federal agencies?",
    "What does the DSA require from very large online platforms on systemic risk assessments?",
    "How many hours do I have to report a personal data breach under GDPR?",
])
def test_another_law_is_refused(question):
    assert is_other_law(question) and intent_of(question) == "off_topic", question


@pytest.mark.parametrize("question", [
    "Does the AI regulation override the GDPR for personal data in our training sets?",
    "does gdpr still apply when we run emotion recognition on customers",
    "our AI checks who is eligible for tax-funded welfare benefits, is it high-risk?",
    "We put our trademark on a high-risk AI system we buy in. Are we the provider?",
    "We make a machine (Machinery Regulation) with an AI safety component. When do the high-risk rules apply?",
    "What does the act say about deepfakes?",
    "What did the Digital Omnibus change in the AI Act?",
    "DSA vs AI Act: does the AI Act change the liability of hosting platforms?",
])
def test_an_ai_act_question_naming_another_law_is_not(question):
    assert not is_other_law(question), question


def test_does_the_act_cover_asks_scope():
    assert parse(normalise("does the ai act cover stuff i do at home just for myself")).intent == "scope"


def _passage(text: str) -> Provision:
    return Provision(document="AI Act", reference="Article 50(4)", title="", text=text, url="", kind="article",
                     version="", source="")


def test_a_five_letter_word_is_covered_by_its_longer_form_only():
    passage = [_passage("Deployers shall disclose the labelling of a video.")]
    assert coverage("label video", passage) == 1.0  # 'label' → 'labelling'
    # longer words keep their six-letter stem: 'labour' is not 'labelling'
    assert coverage("labour video", passage) == 0.5


def test_a_one_line_english_question_saying_ai_is_english():
    from assistant.language import detect

    assert detect("predictive policing ai - legal?") is None
    assert detect("Quali sono gli obblighi per i sistemi di ai ad alto rischio?") is not None
