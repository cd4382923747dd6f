"""Every public name of the library documents itself, and the main entry points show an example."""
from __future__ import annotations

import inspect

import assistant
from assistant import Assistant

EXAMPLED = ("ask", "assess", "provision", "versions", "timeline")


def test_every_public_name_has_a_docstring():
    for name in assistant.__all__:
        assert inspect.getdoc(getattr(assistant, name)), f"assistant.{name} has no docstring"


def test_every_public_method_of_the_assistant_has_a_docstring():
    missing = [name for name, member in inspect.getmembers(Assistant) if not name.startswith("_")
               and (inspect.isfunction(member) or isinstance(member, property)) and not inspect.getdoc(member)]
    assert missing == []


def test_main_methods_and_types_show_an_example():
    for name in EXAMPLED:
        assert "Example::" in inspect.getdoc(getattr(Assistant, name)), name
    for name in ("Assistant", "Answer", "Assessment", "Citation"):
        assert "Example::" in inspect.getdoc(getattr(assistant, name)), name


def test_to_markdown_labels_each_version():
    from assistant.types import Answer, Citation

    now = Citation(1, "AI Act", "Article 113", "", "It shall apply from 2 December 2027.", "https://eur-lex.europa.eu/",
                   0.9, kind="binding law", version="consolidated text in force from 27.7.2026", amendment="replaced")
    old = Citation(2, "AI Act", "Article 113", "", "It shall apply from 2 August 2026.", "https://eur-lex.europa.eu/",
                   0.8, kind="binding law", version="original text (OJ L, 12.7.2024)", superseded=True)
    md = Answer("When?", "From 2 December 2027 [1]; it was 2 August 2026 [2].", False, (now, old), "2026-12-02").to_markdown()
    head_now, head_old = (line for line in md.splitlines() if line.startswith("[") and "AI Act, Article 113" in line)
    labels = [line for line in md.splitlines() if line.startswith("*") and "wording" in line]
    assert labels == ["*current wording, amended; consolidated text in force from 27.7.2026*",
                      "*earlier wording, no longer in force; original text (OJ L, 12.7.2024)*"]
    assert "*The law as it stands on 2026-12-02.*" in md
