"""The draft convention and its action plan as Word documents: a draft in, .docx bytes out.

The bot, the scheduler or a web page call the same two builders; none of them lays out a page.
"""

from bot.documents.render import build_action_plan, build_convention

__all__ = ["build_action_plan", "build_convention"]
