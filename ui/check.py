"""The guided check ("Check my AI system"): the description prefills a short questionnaire from the
Act's decision procedure; each answer re-runs the check; the result downloads as Markdown.

The questions are those the outcome turns on: what the description was read to say (to confirm)
and what it leaves open (``Assessment.open_questions``). Each shows its provision one click away.
The logic (``questions_for``, ``run``) is plain Python; ``build`` lays out the gradio parts.
"""
from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from aiact.ui import render

SLOTS = 8  # questions shown at most: "a handful", the ones that decide
ANSWERS = ("yes", "no", "not sure")
ROLES = ("not sure", "provider", "deployer", "importer", "distributor")
OUTCOME_NOTES = {
    "not an AI system": "Software that only executes rules written by people is outside the AI Act's definition.",
    "out of scope": "The AI Act does not apply to this use.",
    "general-purpose AI model": "A model, not a system: the obligations of Chapter V for its provider.",
    "no system": "The text does not describe an AI system or its use.",
    "undecided": "Close to a prohibited practice: answer the questions below to decide.",
}


@dataclass(frozen=True)
class Asked:
    """One question on the form: the fact it answers, its wording, the provision, the answer shown."""

    fact: str
    question: str
    reference: str
    answer: str  # yes / no / not sure
    hint: str  # where the answer came from


def questions_for(assessment, previous: list[Asked] | None = None, answers: dict[str, str] | None = None) -> list[Asked]:
    """The questions to show: the user's earlier ones first (keeping their answers), then what the
    description was read to say, then the open questions."""
    answers = answers or {}
    out: list[Asked] = []
    seen: set[str] = set()

    def add(item: Asked) -> None:
        if item.fact not in seen and len(out) < SLOTS:
            seen.add(item.fact)
            out.append(item)

    read = {f.name: f for f in assessment.facts}
    for q in previous or ():
        answer = answers.get(q.fact, q.answer)
        add(Asked(q.fact, q.question, q.reference, answer, "your answer" if q.fact in answers else q.hint))
    for f in assessment.facts:
        if f.name == "describes_system":
            continue
        hint = "your answer" if f.source == "you" else f"read from “{f.words}”"
        add(Asked(f.name, f.question, f.reference, "yes" if f.value else "no", hint))
    for o in assessment.open_questions:
        if o.fact not in read:
            add(Asked(o.fact, o.question, o.reference, "not sure",
                      f"open: if {'yes' if o.assumed == 'no' else 'no'}, the outcome becomes {o.then}"))
    return out


def given(asked: list[Asked], values: list[str]) -> dict[str, str]:
    """The facts to pass to ``assess``: the answers the user gave (changed from the prefilled one,
    or given before); an answer read from the description is read again from it."""
    return {q.fact: v for q, v in zip(asked, values)
            if v in ("yes", "no") and (v != q.answer or q.hint == "your answer")}


def run(bot: Any, description: str, role: str, asked: list[Asked], values: list[str]):
    """(assessment, questions to show next) for the description and the answers on the form."""
    facts = given(asked, values)
    result = bot.assess(description, facts=facts or None, role=role if role in ROLES[1:] else None)
    return result, questions_for(result, asked, {k: v for k, v in facts.items()})


# -- rendering ---------------------------------------------------------------------------------
def outcome_html(assessment) -> str:
    if assessment.tier:
        return render.tier_html(assessment.tier)
    outcome = assessment.outcome or "no system"
    return (f'<div class="tier tier-other"><div class="tier-kicker">Outcome</div>'
            f'<div class="tier-name">{html.escape(outcome.capitalize())}</div>'
            f'<div class="tier-meaning">{html.escape(OUTCOME_NOTES.get(outcome, ""))}</div></div>')


def provision_html(bot: Any, reference: str) -> str:
    """The provision behind a question, one click away: its reference opens the verbatim text."""
    p = bot.provision(reference) if reference else None
    if p is None:
        return f'<div class="q-source">{html.escape(reference)}</div>'
    return (f'<details class="q-source"><summary>{html.escape(reference)}</summary>'
            f'<blockquote>{html.escape(" ".join(p.text.split()))}</blockquote>'
            f'<a href="{html.escape(p.url)}" target="_blank" rel="noopener">Open on EUR-Lex</a></details>')


def summary_markdown(a) -> str:
    lines = [f"**Confidence:** {a.confidence:.0%}" + (f" · **Role:** {a.role}" if a.role else "")]
    if a.open_questions:
        lines.append("**Open questions** (answer them below): " + "; ".join(o.question for o in a.open_questions))
    return "\n\n".join(lines)


def markdown_file(a) -> str:
    directory = Path(tempfile.gettempdir()) / "aiact-check"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "ai-act-check.md"
    path.write_text(a.to_markdown(), encoding="utf-8")
    return str(path)


def build(bot: Any, examples: dict[str, tuple[str, str]]) -> None:
    """The Check tab's content; call inside ``gr.Tab``."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            desc = gr.Textbox(lines=6, label="Describe the AI system or its use", elem_id="description",
                              placeholder="What does it do, for whom, in which context? Who builds it and who uses it?")
            role = gr.Radio(list(ROLES), value="not sure", label="Your role", elem_id="role")
            check = gr.Button("Check", variant="primary", elem_id="check-btn")
            gr.Markdown("### Questions the outcome turns on\nPrefilled from your description; change any "
                        "answer and the result updates. Click a provision to read it.", elem_id="q-intro")
            radios, sources, groups = [], [], []
            for i in range(SLOTS):
                with gr.Group(visible=False, elem_id=f"q-{i}") as group:
                    groups.append(group)
                    radios.append(gr.Radio(list(ANSWERS), value="not sure", label="", elem_id=f"q-{i}-answer"))
                    sources.append(gr.HTML(elem_id=f"q-{i}-source"))
            examples_slot = gr.Column()
        with gr.Column(scale=3):
            tier = gr.HTML('<div class="notice">The outcome appears here: prohibited, high-risk, limited '
                           "(transparency duties), minimal — or not an AI system, out of scope.</div>", elem_id="tier")
            summary = gr.Markdown(elem_id="check-summary")
            reasons = gr.Markdown(elem_id="reasons")
            download = gr.DownloadButton("Download as Markdown", interactive=False, elem_id="check-download")
            provisions = gr.HTML(elem_id="deciding")
    state = gr.State([])

    def show(description: str, role_value: str, asked: list[Asked], *values: str):
        if not (description or "").strip():
            return (render.error_html("Describe the AI system first: what it does, for whom, and who "
                                      "places it on the market or uses it."), "", "", gr.update(),
                    "", asked, *[gr.update() for _ in range(3 * SLOTS)])
        try:
            result, questions = run(bot, description, role_value, asked, list(values))
        except Exception as exc:  # noqa: BLE001 - one clear line, nothing lost
            from aiact.ui.handlers import friendly

            return (render.error_html(friendly(exc, "checking the system")), "", "", gr.update(), "", asked,
                    *[gr.update() for _ in range(3 * SLOTS)])
        slots = []
        for i in range(SLOTS):
            if i < len(questions):
                q = questions[i]
                slots.append(gr.update(visible=True))
                slots.append(gr.update(value=q.answer, label=q.question, info=q.hint))
                slots.append(gr.update(value=provision_html(bot, q.reference)))
            else:
                slots += [gr.update(visible=False), gr.update(value="not sure", label=""), gr.update(value="")]
        reasons_md = "### Why\n" + result.text
        return (outcome_html(result), summary_markdown(result), reasons_md,
                gr.update(value=markdown_file(result), interactive=True),
                render.sources_html(result.citations, "Deciding provisions"), questions, *slots)

    slot_outputs = [x for i in range(SLOTS) for x in (groups[i], radios[i], sources[i])]
    outputs = [tier, summary, reasons, download, provisions, state, *slot_outputs]

    def fresh(description: str, role_value: str, *values: str):
        return show(description, role_value, [], *["not sure"] * SLOTS)

    check.click(fresh, [desc, role, *radios], outputs, show_progress="minimal", api_name="check")
    for r in radios:
        r.input(show, [desc, role, state, *radios], outputs, show_progress="minimal",
                api_visibility="undocumented")
    with examples_slot:
        gr.Examples([list(v) for v in examples.values()], inputs=[desc, role], outputs=outputs,
                    fn=lambda d, r: fresh(d, r), run_on_click=True, cache_examples=False, label="Examples",
                    example_labels=list(examples), api_visibility="undocumented")
