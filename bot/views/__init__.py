"""Rendering: use-case results become screens, in the user's language and time zone.

One presenter serves every adapter; only the invitation link differs (a t.me link on
Telegram, the /start command in the terminal).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands import COMMANDS, restarting
from bot.i18n import CHANNEL, gettext_for, render
from bot.services import results as r
from bot.services.dashboard_entry import DashboardOffered
from bot.views import alerts, cards, dashboard, evaluation, partnerships, privacy, questions
from bot.views.screens import Button, Reply, Screen, plain

__all__ = ["Button", "Presenter", "Reply", "Screen", "plain"]


def _help_context(language: str, _params: dict, channel: str) -> dict[str, Any]:
    """The help lists the commands of the command table, as this language spells them, and
    how to answer on this channel (buttons, or keys in the terminal)."""
    _ = gettext_for(language)
    commands = [(c.shown_as(language), _(c.help)) for c in COMMANDS if c.help]
    return {"commands": commands, "channel": channel}


def _cancelled_context(language: str, params: dict, _channel: str) -> dict[str, Any]:
    """Which questionnaire stopped, and the command that starts it again."""
    command = restarting(params.get("flow", ""))
    return {"restart": "/" + command.shown_as(language) if command else None}


# Extra context of some messages, computed when shown.
SAY_CONTEXT: dict[str, Callable[[str, dict, str], dict[str, Any]]] = {
    "help": _help_context,
    "cancelled": _cancelled_context,
}


def too_heavy(document, language: str) -> tuple[str, str]:
    """What stands for a file Telegram refuses as too heavy: a caption for it compressed,
    and a message when even compressed it is."""
    name = document.file_name
    return render("file_zipped.j2", language, name=name), render(
        "file_too_big.j2", language, name=name
    )


class Presenter:
    """Renders results as screens."""

    def __init__(
        self, zone: ZoneInfo, invitation_link: Callable[[str], str], channel: str = "telegram"
    ):
        self.zone = zone
        self.invitation_link = invitation_link
        # "telegram" or "terminal": some texts speak of buttons, others of keys.
        self.channel = channel

    def reply(self, result: r.Result) -> Reply:
        language = result.language
        reply = Reply(language)
        if result.notice is not None:
            reply.notice = plain(self.screen(result.notice, language).text)
        reply.messages = [self.screen(view, language) for view in result.shown]
        if result.in_place is not None:
            reply.edit = self.screen(result.in_place, language)
            reply.replaces = result.replaces
            if isinstance(result.in_place, r.QuestionShown):
                reply.edit_session_id = result.in_place.session_id
        reply.closes = result.closes
        reply.documents = list(result.documents)
        reply.question_session_id = result.asking
        reply.too_heavy = {d.id: too_heavy(d, language) for d in result.documents}
        return reply

    def reply_in(self, language: str, views, documents=()) -> Reply:
        """Views and files for someone other than the user acting, in their language."""
        return self.reply(r.Result(language, list(views), documents=list(documents)))

    def screen(self, view: Any, language: str) -> Screen:
        """The screen of one view of a result, in the words of this channel (buttons to tap,
        or keys to type)."""
        token = CHANNEL.set(self.channel)
        try:
            return self._screen(view, language)
        finally:
            CHANNEL.reset(token)

    def _screen(self, view: Any, language: str) -> Screen:
        zone = self.zone
        if isinstance(view, r.Say):
            extra = SAY_CONTEXT.get(view.what, lambda *_: {})(language, view.params, self.channel)
            return Screen(render(f"{view.what}.j2", language, **view.params, **extra))
        if isinstance(view, r.InvitationCreated):
            link = self.invitation_link(view.token)
            return partnerships.invitation_screen(view, language, link)
        if isinstance(view, r.LanguageMenu):
            return cards.language_screen(language)
        for kind, draw in PLAIN_VIEWS.items():
            if isinstance(view, kind):
                return draw(view, language)
        for kind, draw in DATED_VIEWS.items():
            if isinstance(view, kind):
                return draw(view, language, zone)
        raise TypeError(f"no screen for {type(view).__name__}")


PLAIN_VIEWS: dict[type, Callable[[Any, str], Screen]] = {
    r.QuestionShown: questions.question_screen,
    r.AnswerShown: questions.answered_screen,
    r.AnswerRefused: questions.refused_screen,
    r.WhyShown: questions.why_screen,
    r.DiagnosisShown: questions.diagnosis_screen,
    r.CardShown: cards.card_screen,
    r.TopicsShown: cards.topics_screen,
    r.TopicShown: cards.topic_screen,
    r.NoCardFound: cards.no_result_screen,
    r.CheckInInvitation: evaluation.invitation_screen,
    r.CheckInIntro: evaluation.intro_screen,
    r.RoundReport: evaluation.round_report_screen,
    r.DeletionAsked: privacy.deletion_screen,
    r.AlertNotice: alerts.alert_screen,
    r.SteeringAsked: alerts.steering_screen,
}
# Views that show dates, in the configured time zone.
DATED_VIEWS: dict[type, Callable[[Any, str, ZoneInfo], Screen]] = {
    r.PartnershipList: partnerships.list_screen,
    r.FollowedList: partnerships.followed_screen,
    r.PartnershipCard: partnerships.card_screen,
    r.DialogueShown: partnerships.dialogue_screen,
    r.CandidatesShown: partnerships.candidates_screen,
    r.ConventionStatus: partnerships.convention_screen,
    r.FollowupShown: partnerships.followup_screen,
    r.DocumentsListed: partnerships.documents_screen,
    r.InviteMenu: partnerships.invite_menu_screen,
    r.EvaluationShown: evaluation.evaluation_screen,
    r.WeeklyDigest: alerts.digest_screen,
    DashboardOffered: dashboard.offer_screen,
}
