"""The Gradio web UI (``ui.app.serve``). gradio is imported only inside this package."""
from assistant.settings import set_offline_env

set_offline_env()  # before any ui module imports gradio: no analytics, no model-hub calls
