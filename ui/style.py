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
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", radius_size="md", font=font)


_TIER_CSS = "\n".join(
    f".tier-{tier} {{ border-left: 10px solid {colour}; }} .tier-{tier} .tier-name {{ color: {colour}; }}"
    for tier, colour in TIER_COLOURS.items())

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
#app-header h1 { margin-bottom: 0.1em; font-weight: 700; }
#open-btn, #ask-btn { align-self: flex-end; max-height: 46px; }
#app-header p { color: var(--body-text-color-subdued); margin-top: 0; }
.sources h3 { margin: 0.2em 0 0.6em; font-size: 1.05em; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin-bottom: 10px; background: var(--block-background-fill); }
.src-card.old { opacity: 0.85; border-style: dashed; }
.src-head { font-size: 0.98em; margin-bottom: 4px; }
.src-n { color: var(--color-accent); font-weight: 700; }
.src-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.src-doc { margin-right: 4px; }
.src-detail { font-size: 0.8em; color: var(--body-text-color-subdued); margin-bottom: 6px; }
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
.muted, .src-note { color: var(--body-text-color-subdued); font-size: 0.9em; }
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
#timeline-table td, #timeline-table th, #timeline-table span { font-family: var(--font) !important; }
#disclaimer, #disclaimer p { font-size: 0.85em !important; color: var(--body-text-color-subdued); text-align: center; }
""" + _TIER_CSS
