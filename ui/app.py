"""The Gradio web UI: ``build_app(assistant)`` lays out the tabs, ``serve()`` runs it.

One ``Assistant`` is loaded once and shared by every visitor (it is thread-safe); gradio's queue
runs a few requests at a time so ten people asking at once all get answers, in order.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Callable, Iterator

import gradio as gr  # ui/__init__.py has set the offline environment before this import

from assistant.errors import AssistantError
from assistant.settings import WEB_CONCURRENCY as CONCURRENCY  # the default; AIACT_WEB_CONCURRENCY sets it
from aiact.ui import check as guided_check
from aiact.ui import render
from aiact.ui.handlers import NEXT_ROLES, ROLE_ALL, ROLES, SCOPE_ALL, SCOPES, TIMELINE_VIEWS, Handlers, Message
from aiact.ui.style import CSS, HEAD, theme

log = logging.getLogger(__name__)

QUEUE_SIZE = 100
HEADER = """# EU AI Act Assistant
Answers from the text of Regulation (EU) 2024/1689 as amended by the Digital Omnibus (Regulation (EU) 2026/1744), \
the Commission's guidelines and the GPAI code of practice — every statement cited and quoted verbatim. Runs offline."""
FOOTER = ("Not legal advice. The assistant quotes the law from its local copy; check the official text on "
          "EUR-Lex before relying on it.")
CHECK_EXAMPLES = {  # button label -> (description, role)
    "CV ranking for recruiters": ("A tool that ranks job applicants' CVs and shortlists candidates for "
                                  "recruiters.", "provider"),
    "Customer-service chatbot": ("A customer-service chatbot on our website that answers questions about "
                                 "orders.", "deployer"),
    "Face recognition in the street": ("Real-time remote biometric identification of passers-by in a "
                                       "shopping street, used by the police.", "not sure"),
    "Emotion recognition at work": ("An app that infers employees' emotions from webcam video during "
                                    "meetings.", "deployer"),
    "Spam filter": ("A spam filter for our company's email.", "deployer"),
    "AI in a medical device": ("Our AI reads chest X-rays and flags suspected lung cancer; it is a class IIa "
                               "medical device certified by a notified body.", "provider"),
    "Invoice reminders (not AI)": ("Our software emails a reminder when an invoice is 30 days overdue, "
                                   "following rules our accountants wrote.", "provider"),
}
BROWSE_EXAMPLES = ("Article 5", "Article 50(2)", "Annex III", "Article 113", "Recital 27")
BROWSE_INTRO = ('<div class="notice">Type a reference as the law writes it — <code>Article 50(2)</code>, '
                "<code>Annex III</code>, <code>Recital 27</code> — and choose the document. Amended provisions "
                "show their current wording and the wording they replaced.</div>")


def build_app(assistant: Any) -> gr.Blocks:
    """The page: a header, one tab per entry of ``TABS``, a footer. To add a tab, write a
    ``_name_tab(h)`` function that lays it out and wires its events, and list it in ``TABS``."""
    h = Handlers(assistant)
    with gr.Blocks(title="EU AI Act Assistant", analytics_enabled=False) as demo:
        gr.Markdown(HEADER, elem_id="app-header")
        with gr.Tabs(overflow_behavior="wrap", elem_id="tabs"):  # wrap: every tab stays reachable on a phone
            for label, tab_id, lay_out in TABS:
                with gr.Tab(label, id=tab_id, elem_id=f"tab-{tab_id}") as tab:
                    lay_out(h, tab)
        gr.Markdown(f"{h.llm_note()} {FOOTER}", elem_id="disclaimer")
    return demo


def _timeline_tab(h: Handlers, tab: Any) -> None:
    summary = gr.Markdown(elem_id="timeline-summary")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=280):
            view = gr.Radio(list(TIMELINE_VIEWS), value=TIMELINE_VIEWS[0], label="Show",
                            elem_id="timeline-view")
        with gr.Column(scale=2, min_width=280):
            role = gr.Dropdown(list(NEXT_ROLES), value=ROLE_ALL, label="What is next for me, as…",
                               elem_id="timeline-role")
    upcoming = gr.HTML(elem_id="timeline-next")
    table = gr.HTML(elem_id="timeline-table")
    plot = gr.Plot(label="Dates of application", elem_id="timeline-plot")
    outputs = [table, plot, summary, upcoming]
    # Read when the tab is opened: the statuses depend on today's date, not the start-up date.
    tab.select(h.timeline, [view, role], outputs, api_name="timeline")
    view.change(h.timeline, [view, role], outputs, api_visibility="undocumented")
    role.change(h.timeline, [view, role], outputs, api_visibility="undocumented")


def _ask_tab(h: Handlers, tab: Any = None) -> None:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=280):
            chat = gr.Chatbot(label="Conversation", show_label=False, height=540, elem_id="chat", feedback_options=None,
                              buttons=["copy", "copy_all"],
                              placeholder="Ask about obligations, deadlines, definitions or fines. "
                                          "Follow-up questions keep the conversation.")
            with gr.Row():
                question = gr.Textbox(label="Your question", show_label=False, scale=6, min_width=200,
                                      placeholder="Ask a question about the EU AI Act…", elem_id="question",
                                      max_length=4000)
                send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask-btn")
            scope = gr.Radio(list(SCOPES), value=SCOPE_ALL, label="Search", elem_id="scope")
            examples = gr.Dataset(components=[question], samples=[[q] for q in h.examples()],
                                  label="Example questions", samples_per_page=8, elem_id="examples")
            with gr.Row():
                download = gr.DownloadButton("Download last answer (.md)", interactive=False, size="sm",
                                             elem_id="download-btn")
                clear = gr.Button("New conversation", size="sm", variant="secondary")
            with gr.Accordion("Options and the last answer as Markdown", open=False):
                as_of = gr.Textbox(label="Read the law as of (YYYY-MM-DD, optional)", placeholder="e.g. 2026-01-01",
                                   info="Empty: the law as it stands today. An earlier date shows the wording then in force.")
                markdown = gr.Code(language="markdown", label="Last answer with citations", buttons=["copy"],
                                   interactive=False, lines=6, wrap_lines=True)
        with gr.Column(scale=2, min_width=280):
            sources = gr.HTML(render.empty_sources(), elem_id="sources", max_height=760)

    def respond(q: str, history: list[Message], sc: str, day: str) -> Iterator[tuple]:
        for hist, src, md, path, box in h.respond(q, history, sc, day):
            yield hist, src, md, gr.update(value=path, interactive=path is not None), box

    inputs, outputs = [question, chat, scope, as_of], [chat, sources, markdown, download, question]
    # One public API endpoint per feature ("/ask", "/assess", ...); the duplicates stay out of the docs.
    question.submit(respond, inputs, outputs, show_progress="minimal", api_name="ask")
    send.click(respond, inputs, outputs, show_progress="minimal", api_visibility="undocumented")
    # Clicking an example asks it at once: put it in the box, then run the same handler.
    examples.click(lambda sample: sample[0] if isinstance(sample, list) else sample, examples, question,
                   queue=False, api_visibility="undocumented").then(
        respond, inputs, outputs, show_progress="minimal", api_visibility="undocumented")
    clear.click(lambda: ([], render.empty_sources(), "", gr.update(value=None, interactive=False), ""),
                None, outputs, queue=False, api_visibility="undocumented")


def _check_tab(h: Handlers, tab: Any = None) -> None:
    """The guided check (ui/check.py): the description prefills the procedure's questions."""
    guided_check.build(h.bot, CHECK_EXAMPLES)


def _browse_tab(h: Handlers, tab: Any = None) -> None:
    with gr.Row(equal_height=False):
        ref = gr.Textbox(label="Reference", placeholder="Article 50(2), Annex III, Recital 27", scale=3,
                         elem_id="reference")
        doc = gr.Dropdown(h.documents(), value="AI Act", label="Document", scale=3, elem_id="document")
        show = gr.Button("Open", variant="primary", scale=1, min_width=90, elem_id="open-btn")
    examples_slot = gr.Column()
    with gr.Row():
        prev = gr.Button("← Previous", interactive=False, size="sm", elem_id="prev-btn", scale=0, min_width=130)
        gr.HTML("")  # spacer: previous on the left, next on the right
        nxt = gr.Button("Next →", interactive=False, size="sm", elem_id="next-btn", scale=0, min_width=130)
    view = gr.HTML(BROWSE_INTRO, elem_id="provision")
    state = gr.State(None)
    outputs = [view, state, prev, nxt, ref]
    with examples_slot:
        gr.Examples([[r, "AI Act"] for r in BROWSE_EXAMPLES], inputs=[ref, doc], outputs=outputs, fn=h.browse,
                    run_on_click=True, cache_examples=False, label="Try", example_labels=list(BROWSE_EXAMPLES),
                    api_visibility="undocumented")
    show.click(h.browse, [ref, doc], outputs, api_name="provision")
    ref.submit(h.browse, [ref, doc], outputs, api_visibility="undocumented")
    prev.click(lambda s: h.step(s, "prev"), state, outputs, api_visibility="undocumented")
    nxt.click(lambda s: h.step(s, "next"), state, outputs, api_visibility="undocumented")


# (tab label, id, layout function): the order of the tabs on the page.
TABS: list[tuple[str, str, Callable[[Handlers, Any], None]]] = [
    ("Ask", "ask", _ask_tab),
    ("Check my AI system", "check", _check_tab),
    ("Timeline", "timeline", _timeline_tab),
    ("Browse the law", "browse", _browse_tab),
]


def auth_from_env() -> tuple[str, str] | None:
    """``AIACT_AUTH=user:password`` turns on basic auth; unset or empty leaves the page open."""
    value = os.environ.get("AIACT_AUTH", "").strip()
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise AssistantError("AIACT_AUTH must look like user:password (both non-empty).")
    return user, password


def launch_options() -> dict[str, Any]:
    """What ``launch`` needs besides host and port; shared with anyone launching build_app() themselves."""
    return {"theme": theme(), "css": CSS, "head": HEAD, "show_error": False, "footer_links": ["api", "settings"],
            "mcp_server": False, "ssr_mode": False}


def serve(host: str = "127.0.0.1", port: int = 7860, assistant: Any = None, block: bool = True,
          allow_remote_without_password: bool = False, notice: Any = None) -> gr.Blocks:
    """Load one assistant (building the index on first use) and serve the UI until interrupted,
    hardened by ui/server.py (trusted hosts, queue only, input limits, headers, throttled login)."""
    from aiact.ui import server

    auth = auth_from_env()  # fail fast, before minutes of index building
    server.check_bind(host, auth, allow_remote_without_password)
    server.check_port(host, port)
    if assistant is None:
        from assistant import Assistant

        if notice is not None:  # only once the address and port are known to be usable
            notice()
        assistant = Assistant()
    server.private_temp()
    demo = build_app(assistant)
    settings = getattr(assistant, "settings", None)
    demo.queue(default_concurrency_limit=getattr(settings, "web_concurrency", CONCURRENCY), max_size=QUEUE_SIZE)
    return server.launch(demo, host, port, auth, block, allow_remote_without_password, **launch_options())
