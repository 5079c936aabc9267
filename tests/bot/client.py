"""Reaches the use cases as a user would, and renders their results as every adapter does."""

from __future__ import annotations

from bot.callback_data import parse, parse_partnership, partnership_button
from bot.delivery import screen_pressed
from bot.services import Actor, Services, basics, buttons, checklists, partnerships, questionnaires
from bot.views import Presenter, Reply
from storage.db import session_scope
from storage.models import GeneratedDocument, Partnership

LINK = "https://t.me/alliance_test_bot?start={}"


class Client:
    """One method per thing a user does; each runs one use case and renders its result."""

    def __init__(self, services: Services):
        self.services = services
        self.engine = services.engine
        self.presenter = Presenter(services.core.zone, invitation_link=LINK.format)

    def run(self, who: Actor, use_case, *args) -> Reply:
        return self.presenter.reply(self.services.run(who, use_case, *args))

    def start(self, who, payload=""):
        return self.run(who, basics.start, payload)

    def diagnostic(self, who):
        return self.run(who, questionnaires.diagnostic)

    def text(self, who, text):
        return self.run(who, questionnaires.answer_text, text)

    def press(self, who, data, message_id):
        """A question's button pressed on that message, as the Telegram adapter presses it."""
        return self.run(who, pressed_on(questionnaires.press, message_id), parse(data))

    def cancel(self, who):
        return self.run(who, questionnaires.cancel)

    def new_partnership(self, who):
        return self.run(who, partnerships.new_partnership)

    def partnerships(self, who):
        return self.run(who, partnerships.list_partnerships)

    def criteria(self, who):
        return self.run(who, partnerships.criteria)

    def convention(self, who):
        return self.run(who, partnerships.convention)

    def followup(self, who):
        return self.run(who, partnerships.followup)

    def documents(self, who):
        return self.run(who, partnerships.documents)

    def partnership_button(self, who, data, message_id):
        return self.run(who, pressed_on(buttons.press, message_id), parse_partnership(data))

    def checklist(self, who, words=""):
        return self.run(who, checklists.lookup, words)

    def button(self, partnership_id: int, action: str, arg=None) -> str:
        """A partnership's button as drawn now, for its current revision."""
        with session_scope(self.engine) as db:
            revision = db.get(Partnership, partnership_id).revision
        return partnership_button(partnership_id, revision, action, arg)

    def files(self, reply: Reply) -> list[tuple[str, bytes]]:
        """The files a reply sends: (name, content)."""
        with session_scope(self.engine) as db:
            return [
                (f"v{d.version}-{d.file_name}", db.get(GeneratedDocument, d.id).content)
                for d in reply.documents
            ]


def pressed_on(use_case, message_id):
    """The use case of a button pressed on that message (None: no message, the terminal)."""

    def pressed(work, button):
        acted = screen_pressed(work.db, user_id=work.user.id, message_id=message_id)
        return use_case(work, button, acted)

    return pressed
