"""The composition root: the only place the Telegram `Application` is assembled."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import handlers
from bot.conversation import Conversations
from bot.i18n import LANGUAGES, gettext_for
from bot.settings import Settings
from storage.db import make_engine


def N_(message: str) -> str:
    """Marks a catalogue text for extraction; it is translated where it is shown."""
    return message


# (French command, English alias, catalogue text of the menu entry)
COMMANDS = (
    ("start", None, N_("Welcome")),
    ("diagnostic", None, N_("Self-diagnosis (step 1)")),
    ("nouveau", "new", N_("Create a partnership")),
    ("partenariats", "partnerships", N_("Your partnerships")),
    ("criteres", "criteria", N_("Score candidate partners (step 3)")),
    ("convention", None, N_("Convention checklist and drafts (steps 4-5)")),
    ("suivi", "followup", N_("Steering and follow-up (step 6)")),
    ("documents", None, N_("Generated documents")),
    ("aide", "help", N_("What I can do")),
    ("checklist", None, N_("Checklists of the method")),
    ("langue", "language", N_("Choose the language")),
    ("annuler", "cancel", N_("Stop the questionnaire in progress")),
)


def file_url(base_url: str) -> str:
    """The file URL that goes with a Bot API base URL (".../bot" -> ".../file/bot")."""
    root, _, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{root}/file/bot" if root else base_url


def build_application(
    settings: Settings, conversations: Conversations | None = None
) -> Application:
    if conversations is None:
        conversations = Conversations(make_engine(settings.database_url))
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings.telegram_api_base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.alliance_max_messages_per_second,
                overall_time_period=1,
                max_retries=3,
            )
        )
        # Updates are handled one after the other: a chat's answers never race.
        .concurrent_updates(False)
        .post_init(set_command_menus)
        .build()
    )
    application.bot_data["conversations"] = conversations
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    message = filters.UpdateType.MESSAGE
    command = {
        "start": handlers.start,
        "diagnostic": handlers.diagnostic,
        "aide": handlers.help_command,
        "annuler": handlers.cancel,
        "langue": handlers.language,
        "checklist": handlers.checklist,
        "nouveau": handlers.new_partnership,
        "partenariats": handlers.partnerships,
        "criteres": handlers.criteria,
        "convention": handlers.convention,
        "suivi": handlers.followup,
        "documents": handlers.documents,
    }
    # 1. Commands with their English aliases: checklists in any chat (they are the same
    # for everyone), the rest in private chats only.
    for french, english, _ in COMMANDS:
        names = [french] + ([english] if english else [])
        where = message if french == "checklist" else private & message
        application.add_handler(CommandHandler(names, command[french], filters=where))
    # 2. Commands elsewhere (groups): invite to a private chat.
    application.add_handler(
        MessageHandler(filters.COMMAND & ~private & message, handlers.private_only)
    )
    # 3. Button presses: cards, topics and languages, then questionnaires; the service
    # refuses whatever is stale or forged.
    application.add_handler(CallbackQueryHandler(handlers.browse, pattern=r"^v1:[cml]:"))
    application.add_handler(CallbackQueryHandler(handlers.partnership_button, pattern=r"^v1:p:"))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    # 4. Typed answers; unknown commands get the help.
    application.add_handler(
        MessageHandler(filters.COMMAND & private & message, handlers.help_command)
    )
    application.add_handler(MessageHandler(filters.TEXT & private & message, handlers.text))
    # 5. Edited messages, then anything else sent privately (stickers, photos...).
    application.add_handler(MessageHandler(filters.UpdateType.EDITED & private, handlers.edited))
    application.add_handler(MessageHandler(private & message, handlers.unsupported))
    application.add_error_handler(handlers.on_error)


async def set_command_menus(application: Application) -> None:
    """The command menu in French by default, in English for English-speaking users;
    and the bot's username, which invitation links need."""
    application.bot_data["conversations"].desk.bot_username = application.bot.username
    for language in LANGUAGES:
        _ = gettext_for(language)
        names = (
            [(english or french, text) for french, english, text in COMMANDS]
            if language == "en"
            else [(french, text) for french, _english, text in COMMANDS]
        )
        commands = [BotCommand(name, _(text)) for name, text in names]
        await application.bot.set_my_commands(
            commands, language_code=None if language == "fr" else language
        )


ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
]
