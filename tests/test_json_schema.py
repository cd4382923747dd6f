"""docs/*.schema.json describe what the API and `--json` really print: real output validates, and
every field of the dataclasses is in the JSON (so a new field cannot be silently dropped)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from assistant.types import Answer, Assessment, Citation

jsonschema = pytest.importorskip("jsonschema", reason="pip install jsonschema (a test dependency)")
from referencing import Registry, Resource  # noqa: E402  (installed with jsonschema)

DOCS = Path(__file__).resolve().parents[1] / "docs"
SCHEMAS = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in DOCS.glob("*.schema.json")}


def validator(name: str):
    registry = Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in SCHEMAS.values()])
    schema = SCHEMAS[name]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def check(name: str, data) -> None:
    errors = sorted(validator(name).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schemas_are_valid_and_documented():
    assert set(SCHEMAS) == {"answer.schema.json", "assessment.schema.json", "citation.schema.json",
                            "timeline.schema.json"}
    doc = (DOCS / "json.md").read_text(encoding="utf-8")
    for name in SCHEMAS:
        validator(name)
        assert name in doc


def test_the_schemas_reject_what_breaks_the_contract(mini_assistant):
    data = mini_assistant.ask("What is a deployer?").to_dict()
    for broken in ({k: v for k, v in data.items() if k != "abstained"},
                   {**data, "citations": [{**data["citations"][0], "url": "javascript:alert(1)"}]},
                   {**data, "citations": [{k: v for k, v in data["citations"][0].items() if k != "quote"}]}):
        assert list(validator("answer.schema.json").iter_errors(broken))
    assert list(validator("assessment.schema.json").iter_errors({"description": "x", "tier": "risky",
                                                                 "answer": "", "citations": []}))


@pytest.mark.parametrize("cls, key", [(Answer, "answer"), (Assessment, "answer"), (Citation, None)])
def test_to_dict_carries_every_field(cls, key):
    """Built from the fields: a field added later reaches the JSON without a second edit."""
    names = {f.name for f in dataclasses.fields(cls)}
    sample = {"n": 1, "document": "AI Act", "reference": "Article 3(4)", "title": "", "quote": "q",
              "url": "https://eur-lex.europa.eu/", "score": 0.5, "question": "q", "text": "t",
              "abstained": False, "description": "d", "tier": "minimal"}
    obj = cls(**{k: v for k, v in sample.items() if k in names})
    out = obj.to_dict()
    assert set(out) >= (names - {"text"}) | ({key} if key else set())


def test_mini_answer_assessment_and_timeline_validate(mini_assistant):
    answer = mini_assistant.ask("What is a deployer?")
    check("answer.schema.json", answer.to_dict())
    check("answer.schema.json", json.loads(json.dumps(answer.to_dict())))
    check("assessment.schema.json", mini_assistant.assess("A chatbot on our shop's website").to_dict())
    check("timeline.schema.json", [e.to_dict() for e in mini_assistant.timeline()])


@pytest.mark.slow
def test_real_output_validates(real_assistant):
    for question in ("When do the prohibitions apply?", "What did Article 113 originally say about Article 6(1)?",
                     "What is the capital of France?"):
        data = real_assistant.ask(question).to_dict()
        check("answer.schema.json", data)
    for description in ("A tool that ranks job applicants' CVs for recruiters", "A spam filter for our e-mail"):
        data = real_assistant.assess(description).to_dict()
        check("assessment.schema.json", data)
        assert data["checks"] is not None
    check("timeline.schema.json", [e.to_dict() for e in real_assistant.timeline()])
