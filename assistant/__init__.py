"""aiact-assistant: cited, verbatim answers about the EU AI Act, offline.

    from assistant import Assistant
    bot = Assistant()
    print(bot.ask("When do the prohibitions apply?").text)
"""
from assistant.settings import set_offline_env

set_offline_env()

from assistant.core import Assistant  # noqa: E402
from assistant.errors import AssistantError, IndexMissing, InvalidQuestion  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.types import Answer, Assessment, Citation  # noqa: E402

__all__ = ["Answer", "Assessment", "Assistant", "AssistantError", "Citation", "IndexMissing",
           "InvalidQuestion", "Settings"]
