"""Look and feel: one theme and one stylesheet, passed to ``launch`` (Gradio 6 takes them there).

The theme's fonts are gradio's bundled LocalFonts: a GoogleFont would make every browser that opens
the page call fonts.googleapis.com, which an offline tool must not do.
"""
from __future__ import annotations

import gradio as gr

TIER_COLOURS = {"prohibited": "#b42318", "high-risk": "#c4320a", "limited": "#b54708", "minimal": "#067647"}


def theme() -> gr.themes.Base:
    font = (gr.themes.LocalFont("Source Sans Pro", weights=(400, 600, 700)), "ui-sans-serif", "system-ui",
            "sans-serif")
    # Colours at WCAG AA contrast (4.5:1) on white, checked by axe-core in the browser test:
    # gradio's default subdued text (#94a3b8) and primary button (#3b82f6) fall short.
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", radius_size="md", font=font).set(
        body_text_color_subdued="#475569",
        button_primary_background_fill="#1d4ed8", button_primary_background_fill_hover="#1e40af",
        button_primary_text_color="#ffffff", color_accent="#1d4ed8", color_accent_soft="#dbeafe",
        link_text_color="#1d4ed8", link_text_color_visited="#6b21a8",
        block_info_text_color="#475569", input_placeholder_color="#64748b")


_TIER_CSS = "\n".join(
    f".tier-{tier} {{ border-left: 10px solid {colour}; }} .tier-{tier} .tier-name {{ color: {colour}; }}"
    for tier, colour in TIER_COLOURS.items())

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; min-width: 0 !important; }
/* Narrow screens (a phone is 360-430 px): nothing may be wider than the screen. Flex children
   shrink below their content width, rows wrap, long words break, wide content scrolls in its box. */
.gradio-container .row, .gradio-container .column, .gradio-container .block { min-width: 0; }
.gradio-container .row { flex-wrap: wrap; }
.sources, .src-card, .src-quote, .prov-text, #chat .message { overflow-wrap: anywhere; }
@media (max-width: 640px) {
  .gradio-container { padding-left: 8px !important; padding-right: 8px !important; }
  #app-header h1 { font-size: 1.5em; }
  #app-header p { font-size: 0.9em; }
  .tier-name { font-size: 1.7em; }
  #chat { height: 460px !important; }
}
/* Ask: the button stays next to the box and tappable (at least 44 px high) */
#ask-btn, #check-btn, #open-btn { min-height: 44px; }
/* a marker [n] in an answer links to its source card; the card lights up when reached */
#chat a[href^="#src-"] { font-weight: 700; text-decoration: none; padding: 0 1px; border-radius: 3px; }
#chat a[href^="#src-"]:hover, #chat a[href^="#src-"]:focus { text-decoration: underline; }
.src-card { scroll-margin-top: 12px; transition: box-shadow 0.3s, background-color 0.3s; }
.src-card.highlight, .src-card:target { box-shadow: 0 0 0 3px #2563eb; background: #eff6ff; }
/* the progress state while an answer is composed */
.progress { display: flex; gap: 10px; align-items: center; padding: 10px 12px; border-radius: 8px;
  background: #eff6ff; border: 1px solid #bfdbfe; color: #1e3a8a; }
.spinner { width: 16px; height: 16px; flex: none; border: 3px solid #bfdbfe; border-top-color: #1d4ed8;
  border-radius: 50%; animation: aiact-spin 0.9s linear infinite; }
@keyframes aiact-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
/* Timeline: the table scrolls sideways inside its box, the page does not */
.table-scroll { contain: inline-size; width: 100%; max-width: 100%; overflow-x: auto; max-height: 720px; overflow-y: auto;
  border: 1px solid var(--border-color-primary); border-radius: 8px; }
.table-scroll:focus { outline: 2px solid #2563eb; outline-offset: 2px; }
table.timeline { border-collapse: collapse; width: 100%; min-width: 760px; font-size: 0.9em; table-layout: fixed; }
table.timeline col.c-when { width: 150px; } table.timeline col.c-prov { width: 170px; }
table.timeline col.c-status { width: 100px; }
table.timeline caption { text-align: left; padding: 8px 10px; font-weight: 600; }
table.timeline th { position: sticky; top: 0; background: var(--background-fill-secondary); text-align: left;
  padding: 6px 10px; border-bottom: 1px solid var(--border-color-primary); }
table.timeline td { padding: 6px 10px; border-bottom: 1px solid var(--border-color-primary); vertical-align: top; }
table.timeline tr.past td { color: var(--body-text-color-subdued); }
table.timeline tr.moved td.when b { color: #92400e; }
.status { font-size: 0.8em; font-weight: 600; padding: 1px 8px; border-radius: 999px; white-space: nowrap; }
.status-upcoming { background: #dbeafe; color: #1e40af; }
.status-past { background: #e5e7eb; color: #374151; }
.next { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 14px; }
.next ol { margin: 0 0 0.4em 1.2em; padding: 0; }
.next li { margin: 0.3em 0; }
.next p { color: #1e293b; }  /* AA contrast on both light and tinted boxes (axe-core) */
table.timeline tr.past td a { color: #1e40af; }
#timeline-plot { overflow-x: auto; contain: inline-size; }
#app-header h1 { margin-bottom: 0.1em; font-weight: 700; }
#open-btn, #ask-btn { align-self: flex-end; max-height: 46px; }
#app-header p { color: var(--body-text-color-subdued); margin-top: 0; }
.sources h2, .next h2 { margin: 0.2em 0 0.6em; font-size: 1.05em; font-weight: 700; }
#reasons h2, #checks h2 { font-size: 1.1em; margin: 0.6em 0 0.3em; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin-bottom: 10px; background: var(--block-background-fill); }
.src-card.old { opacity: 0.85; border-style: dashed; }
.src-head { font-size: 0.98em; margin-bottom: 4px; }
.src-n { color: #1d4ed8; font-weight: 700; }
.src-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.src-doc { margin-right: 4px; }
.src-detail { font-size: 0.8em; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.src-why { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 6px; }
.src-why ul { margin: 4px 0 0 1.2em; padding: 0; }
.why-effect { font-variant-numeric: tabular-nums; display: inline-block; min-width: 2.6em; }
.src-quote { margin: 6px 0; padding: 6px 10px; border-left: 3px solid var(--border-color-accent);
  background: var(--background-fill-secondary); font-size: 0.9em; max-height: 14em; overflow: auto;
  white-space: normal; }
.src-link { font-size: 0.85em; font-weight: 600; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 0.78em;
  font-weight: 600; margin: 1px 2px; white-space: nowrap; }
.badge-binding { background: #dbeafe; color: #1e40af; }
.badge-guidance { background: #f3e8ff; color: #6b21a8; }
.badge-amended { background: #fef3c7; color: #92400e; }
.badge-old { background: #e5e7eb; color: #374151; }
.muted, .src-note { color: #475569; font-size: 0.9em; }
.src-note { margin-bottom: 8px; }
.prov-text { font-size: 0.93em; max-height: 28em; overflow: auto; }
.prov-text p, .part p { margin: 0.4em 0; }
.parts { margin: 6px 0 8px; font-size: 0.93em; }
.part { border-top: 1px solid var(--border-color-primary); padding: 6px 0 2px 12px; }
.part-head { font-size: 0.85em; color: var(--body-text-color-subdued); }
.notice { padding: 10px 14px; border-radius: 8px; background: #eff6ff; border: 1px solid #bfdbfe; }
.notice.error { background: #fef2f2; border-color: #fecaca; color: #991b1b; }
.tier { padding: 14px 18px; border-radius: 10px; background: var(--block-background-fill);
  border: 1px solid var(--border-color-primary); }
.tier-kicker { text-transform: uppercase; letter-spacing: 0.08em; font-size: 0.75em;
  color: var(--body-text-color-subdued); }
.tier-name { font-size: 2.2em; font-weight: 700; line-height: 1.15; }
.tier-meaning { margin-top: 4px; }
#disclaimer, #disclaimer p { font-size: 0.85em !important; color: var(--body-text-color-subdued); text-align: center; }
""" + _TIER_CSS


# A document-level script (``launch(head=...)``): a click on a marker [n] in an answer scrolls to
# the source card #src-n in the sources panel and highlights it, and moves the keyboard focus
# there. Delegated from the document, because gradio re-renders the chat and the panel.
HEAD = """
<script>
document.addEventListener('click', function (event) {
  var link = event.target.closest && event.target.closest('a[href^="#src-"]');
  if (!link) return;
  var card = document.getElementById(link.getAttribute('href').slice(1));
  if (!card) return;
  event.preventDefault();
  document.querySelectorAll('.src-card.highlight').forEach(function (c) { c.classList.remove('highlight'); });
  card.classList.add('highlight');
  card.setAttribute('tabindex', '-1');
  card.scrollIntoView({behavior: 'smooth', block: 'center'});
  card.focus({preventScroll: true});
  setTimeout(function () { card.classList.remove('highlight'); }, 4000);
}, true);
</script>
"""
