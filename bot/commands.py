"""The bot's commands and buttons, declared once: they feed the Telegram handlers, both
command menus, the help text and the terminal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot import callback_data
from bot.i18n import N_, register_commands
from bot.services import (
    basics,
    buttons,
    checkins,
    checklists,
    dashboard_entry,
    partnerships,
    privacy,
    questionnaires,
)
from knowledge import LANGUAGES


@dataclass(frozen=True)
class Command:
    name: str  # French, the reference
    alias: str | None  # English
    menu: str  # the command menu's entry (catalogue text)
    help: str | None  # the help's line (catalogue text); None: left out of the help
    use_case: Callable
    # The words typed after the command are passed on (/checklist résiliation).
    takes_words: bool = False
    # Allowed in groups too (checklists are the same for everyone); else private chats only.
    in_groups: bool = False
    # The questionnaire it starts, if any: said when that questionnaire is cancelled.
    starts: str | None = None
    # What a group gets instead, when not the common "let us talk in private".
    in_groups_instead: Callable | None = None

    def names(self) -> tuple[str, ...]:
        return (self.name, self.alias) if self.alias else (self.name,)

    def shown_as(self, language: str) -> str:
        """The spelling a user of that language sees."""
        return self.alias if language == "en" and self.alias else self.name


COMMANDS = (
    Command("start", None, N_("Welcome"), None, basics.start, takes_words=True),
    Command(
        "diagnostic",
        None,
        N_("Self-diagnosis (step 1)"),
        N_(
            "step 1, the self-diagnosis: your priorities, your territory, your resources; "
            "I recommend a partnership type."
        ),
        questionnaires.diagnostic,
        starts="diagnostic",
    ),
    Command(
        "nouveau",
        "new",
        N_("Create a partnership"),
        N_("create a partnership."),
        partnerships.new_partnership,
        starts="new_partnership",
    ),
    Command(
        "partenariats",
        "partnerships",
        N_("Your partnerships"),
        N_("list your partnerships and open one."),
        partnerships.list_partnerships,
    ),
    Command(
        "tableau",
        "dashboard",
        N_("Dashboard of your partnerships"),
        N_("your partnerships on one page, in Telegram or in a browser."),
        dashboard_entry.open_dashboard,
        in_groups_instead=dashboard_entry.in_group,
    ),
    Command(
        "criteres",
        "criteria",
        N_("Score candidate partners (step 3)"),
        N_("score candidate partners and choose one (step 3)."),
        partnerships.criteria,
        starts="criteria",
    ),
    Command(
        "convention",
        None,
        N_("Agreement checklist and drafts (steps 4-5)"),
        N_("the agreement checklist, then the draft agreement and action plan (steps 4-5)."),
        partnerships.convention,
        starts="convention",
    ),
    Command(
        "suivi",
        "followup",
        N_("Steering and follow-up (step 6)"),
        N_("referents, steering committee and meeting cadence (step 6)."),
        partnerships.followup,
        starts="followup",
    ),
    Command(
        "evaluation",
        None,
        N_("Evaluation check-ins (step 7)"),
        N_("the check-ins answered by both partners, their results, who answers, what comes next."),
        checkins.evaluation,
    ),
    Command(
        "documents",
        None,
        N_("Generated documents"),
        N_("every version of the drafts, to receive one again."),
        partnerships.documents,
    ),
    Command(
        "checklist",
        None,
        N_("Checklists of the method"),
        N_("the method's checklists; add a few words to go straight to one."),
        checklists.lookup,
        takes_words=True,
        in_groups=True,
    ),
    Command(
        "langue",
        "language",
        N_("Choose the language"),
        N_("French or English."),
        checklists.language_menu,
        takes_words=True,
    ),
    Command(
        "mesdonnees",
        "mydata",
        N_("My data"),
        N_("everything Alliance stores about you, as a file."),
        privacy.my_data,
    ),
    Command(
        "supprimer",
        "delete",
        N_("Erase my data"),
        N_("erase your personal data, after a confirmation."),
        privacy.ask_deletion,
    ),
    Command(
        "aide",
        "help",
        N_("What I can do"),
        None,
        basics.help_screen,
        takes_words=True,
        in_groups=True,
    ),
    Command(
        "annuler",
        "cancel",
        N_("Stop the questionnaire in progress"),
        N_("stop the questionnaire in progress."),
        questionnaires.cancel,
    ),
)


def find(word: str) -> Command | None:
    """The command a typed word names, French or English ("/Aide" and "aide" alike)."""
    word = word.lstrip("/").lower()
    return next((c for c in COMMANDS if word in c.names()), None)


register_commands(
    {c.name: {language: c.shown_as(language) for language in LANGUAGES} for c in COMMANDS}
)


def restarting(flow_id: str) -> Command | None:
    """The command that starts a questionnaire again."""
    return next((c for c in COMMANDS if c.starts == flow_id), None)


@dataclass(frozen=True)
class ButtonRoute:
    """Which use case a button press runs, by the format of its data; the use case takes
    the data as its format parses it (None when malformed)."""

    format: callback_data.Format
    use_case: Callable

    @property
    def pattern(self) -> str:
        return self.format.prefix

    def parse(self, data: object) -> object:
        return self.format.parse(data)


# Cards, topics and languages; partnerships; check-in invitations; /supprimer's question.
# Any other press is a question's button. The use cases refuse what is stale or forged.
BUTTON_ROUTES = (
    ButtonRoute(callback_data.CARD_BUTTONS, checklists.browse),
    ButtonRoute(callback_data.PARTNERSHIP_BUTTONS, buttons.press),
    ButtonRoute(callback_data.ROUND_BUTTONS, checkins.answer),
    ButtonRoute(callback_data.DELETION_BUTTONS, privacy.confirm_deletion),
)
QUESTION_BUTTON = ButtonRoute(callback_data.QUESTION_BUTTONS, questionnaires.press)


def button_route(data: object) -> ButtonRoute:
    """The route a button's data takes, by its format."""
    found = callback_data.format_of(data)
    return next((r for r in BUTTON_ROUTES if r.format is found), QUESTION_BUTTON)
