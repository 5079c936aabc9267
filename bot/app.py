"""The composition root: the only place the Telegram `Application` is assembled."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.commands import BUTTON_ROUTES, COMMANDS, QUESTION_BUTTON
from bot.i18n import N_, gettext_for
from bot.scheduler import dispatch_once
from bot.services import Core, Services, dashboard_entry
from bot.settings import Settings
from bot.telegram import handlers
from bot.telegram.adapter import TelegramAdapter
from bot.telegram.http import AiohttpRequest
from bot.telegram.inbox import Inbox, InboxBot
from bot.telegram.locks import ChatLocks
from bot.telegram.outage import DatabaseWatch, summary
from bot.telegram.outbox import RENEW_SECONDS, SWEEP_SECONDS, Sender, send_until_done
from bot.telegram.processor import OrderedUpdateProcessor
from bot.telegram.ratelimit import ChatRateLimiter
from bot.views import Presenter
from knowledge import LANGUAGES
from storage.db import make_engine
from storage.transient import is_unavailable

# What a new user reads before pressing Start (Telegram: at most 512 and 120 characters).
DESCRIPTION = N_(
    "Alliance helps associations, foundations, companies and local authorities build lasting "
    "partnerships with the “faire alliance” method (ORSE / Le RAMEAU): a self-diagnosis, the "
    "choice of a partner, the content of the agreement and its draft, then check-ins answered "
    "by both organisations. Press Start."
)
SHORT_DESCRIPTION = N_(
    "Build lasting partnerships step by step with the “faire alliance” method (ORSE / Le RAMEAU)."
)

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
]
log = logging.getLogger(__name__)

# Concurrent Bot API calls; sending is paced by the rate limiter anyway.
CONNECTIONS = 256
# Seconds an upload (a document, a chart) may take at least, whatever the API time-out.
MEDIA_WRITE_TIMEOUT = 20
# The check-in dispatcher runs every minute.
DISPATCH_SECONDS = 60


def file_url(base_url: str) -> str:
    """The file URL that goes with a Bot API base URL (".../bot" -> ".../file/bot")."""
    root, _, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{root}/file/bot" if root else base_url


async def send_waiting(settings: Settings, engine, clock, *, limit) -> None:
    """Sends what the outbox holds, then returns (alliance checkins run): a bot of its own,
    not the Application."""
    async with ExtBot(**bot_options(settings)) as bot:
        await send_until_done(Sender(bot, engine, ChatLocks(), clock), engine, clock, limit=limit)


def bot_options(settings: Settings) -> dict:
    """How every bot of Alliance talks to the Bot API: base URL, time-outs, HTML, limits."""
    timeout = settings.alliance_api_timeout
    return dict(
        token=settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=file_url(settings.telegram_api_base_url),
        request=AiohttpRequest(
            connections=CONNECTIONS,
            read_timeout=timeout,
            write_timeout=max(timeout, MEDIA_WRITE_TIMEOUT),
        ),
        get_updates_request=AiohttpRequest(connections=1),
        defaults=Defaults(parse_mode=ParseMode.HTML),
        rate_limiter=ChatRateLimiter(
            settings.alliance_max_messages_per_second, settings.alliance_chat_messages_per_second
        ),
    )


def build_application(settings: Settings, services: Services | None = None) -> Application:
    if services is None:
        core = Core(settings.alliance_timezone, web_url=settings.alliance_web_url)
        services = Services(make_engine(settings.database_url), core)
    inbox = Inbox(services.engine)
    database = DatabaseWatch(services.engine)
    locks = ChatLocks()
    bot = InboxBot(**bot_options(settings), inbox=inbox, database=database)

    async def settle(update: object) -> None:
        """After an update's handlers: it is marked handled; unless the database failed
        them, and then it goes through them again once the database answers."""
        if isinstance(update, Update) and database.was_interrupted(update.update_id):
            database.when_back(lambda: application.update_queue.put(update))
            return
        try:
            await inbox.mark_handled(update)
        except Exception as error:
            if not database.noted(error):
                raise
            database.when_back(lambda: settle(update))

    application = (
        ApplicationBuilder()
        .bot(bot)
        # Chats run side by side; the updates of one chat, in order.
        .concurrent_updates(OrderedUpdateProcessor(locks, after=settle))
        .post_init(on_start)
        .post_stop(on_stop)
        .build()
    )
    sender = Sender(bot, services.engine, locks, services.clock)
    presenter = Presenter(services.core.zone, invitation_link=lambda token: token)
    adapter = TelegramAdapter(services, presenter, sender)

    async def replay(payload: dict) -> None:
        if (update := await inbox.read(payload, application.bot)) is not None:
            try:
                await application.process_update(update)
            finally:
                await settle(update)

    adapter.replay = replay
    application.bot_data.update(telegram=adapter, inbox=inbox, database=database)
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    message = filters.UpdateType.MESSAGE
    # 1. The commands of the table, with their English aliases, where each is allowed; in a
    # group, the answer of its own a command may have there.
    for command in COMMANDS:
        where = message if command.in_groups else private & message
        application.add_handler(
            CommandHandler(command.names(), handlers.command_handler(command), filters=where)
        )
        if command.in_groups_instead is not None:
            handler = handlers.in_groups_handler(command)
            application.add_handler(
                CommandHandler(command.names(), handler, filters=~private & message)
            )
    # 2. Commands elsewhere (groups): invite to a private chat.
    application.add_handler(
        MessageHandler(filters.COMMAND & ~private & message, handlers.private_only)
    )
    # 3. Button presses, routed by the table; what no route takes is a question's button.
    for route in BUTTON_ROUTES:
        handler = handlers.button_handler(route)
        application.add_handler(CallbackQueryHandler(handler, pattern=route.pattern))
    application.add_handler(CallbackQueryHandler(handlers.button_handler(QUESTION_BUTTON)))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    # 4. Typed answers; unknown commands get the help.
    application.add_handler(
        MessageHandler(filters.COMMAND & private & message, handlers.unknown_command)
    )
    application.add_handler(MessageHandler(filters.TEXT & private & message, handlers.text))
    # 5. Edited messages, then anything else sent privately (stickers, photos...).
    application.add_handler(MessageHandler(filters.UpdateType.EDITED & private, handlers.edited))
    application.add_handler(MessageHandler(private & message, handlers.unsupported))
    application.add_error_handler(handlers.on_error)


async def on_start(application: Application) -> None:
    """Command menus, invitation links, then what a previous process left undone."""
    adapter: TelegramAdapter = application.bot_data["telegram"]
    username = application.bot.username
    adapter.presenter.invitation_link = lambda token: f"https://t.me/{username}?start={token}"
    await set_command_menus(application)
    await set_menu_button(application, adapter.services.core.web_url)
    # The evaluation report's renderer (charts, PDF: 60 MB resident) is not loaded here: it
    # loads with the first report, which then takes 0.7 s more, once per process.
    # Messages a previous process never sent go out first, then the updates it never handled.
    schedule_delivery(application)
    await adapter.sender.sweep()
    for update in await application.bot_data["inbox"].unhandled(application.bot):
        await application.update_queue.put(update)


async def on_stop(application: Application) -> None:
    """What this instance claimed and did not send is left to the others at once."""
    application.bot_data["database"].close()
    try:
        await application.bot_data["telegram"].sender.release_all()
    except Exception as error:
        if not is_unavailable(error):
            raise
        log.warning(
            "database unreachable at stop (%s): the claims lapse by themselves", summary(error)
        )


def schedule_delivery(application: Application) -> None:
    """Retries of one chat as named one-off jobs; a sweep of every chat now and then."""
    sender: Sender = application.bot_data["telegram"].sender
    jobs = application.job_queue

    async def flush_chat(context: ContextTypes.DEFAULT_TYPE) -> None:
        await sender.flush_locked(context.job.data)

    async def sweep(_context: ContextTypes.DEFAULT_TYPE) -> None:
        await sender.sweep()

    def schedule(chat_id: int, delay: float) -> None:
        name = f"outbox:{chat_id}"
        for job in jobs.get_jobs_by_name(name):
            job.schedule_removal()
        jobs.run_once(flush_chat, when=delay, data=chat_id, name=name)

    async def renew(_context: ContextTypes.DEFAULT_TYPE) -> None:
        await sender.renew_claims()

    sender.schedule = schedule
    jobs.run_repeating(sweep, interval=SWEEP_SECONDS, first=SWEEP_SECONDS, name="outbox:sweep")
    jobs.run_repeating(renew, interval=RENEW_SECONDS, first=RENEW_SECONDS, name="outbox:claims")

    async def dispatch_checkins(_context: ContextTypes.DEFAULT_TYPE) -> None:
        adapter: TelegramAdapter = application.bot_data["telegram"]
        done = await asyncio.to_thread(dispatch_once, adapter.services, adapter.presenter)
        await sender.flush_chats(sorted(done.chats))

    jobs.run_repeating(
        dispatch_checkins, interval=DISPATCH_SECONDS, first=DISPATCH_SECONDS, name="checkins"
    )


async def set_command_menus(application: Application) -> None:
    """Per language (French by default, English for English-speaking users): the full menu in
    private chats, only what works in a group in groups (questionnaires are personal), and
    the description a new user reads before pressing Start."""
    bot = application.bot
    for language in LANGUAGES:
        _ = gettext_for(language)
        code = None if language == "fr" else language
        for scope, commands in (
            (BotCommandScopeDefault(), COMMANDS),
            (BotCommandScopeAllPrivateChats(), COMMANDS),
            (BotCommandScopeAllGroupChats(), [c for c in COMMANDS if c.in_groups]),
        ):
            menu = [BotCommand(c.shown_as(language), _(c.menu)) for c in commands]
            await bot.set_my_commands(menu, scope=scope, language_code=code)
        await bot.set_my_description(_(DESCRIPTION), language_code=code)
        await bot.set_my_short_description(_(SHORT_DESCRIPTION), language_code=code)


# The menu button's label: one default button for every chat (a button per chat would cost a
# call per user), so in French, the product's first language.
MENU_BUTTON = N_("Dashboard")


async def set_menu_button(application: Application, web_url: str | None) -> None:
    """With a dashboard on HTTPS, the button beside the message field opens it as a Mini App;
    otherwise Telegram's default (the command list) is left as it is. Telegram opens Mini
    Apps only over HTTPS: an HTTP address (a local setup) gets no button, and the log says so."""
    if web_url is None:
        return
    if not web_url.startswith("https://"):
        log.warning(
            "ALLIANCE_WEB_URL is not HTTPS: Telegram opens Mini Apps only over HTTPS, so the "
            "menu button is not set and /tableau offers the browser link alone"
        )
        return
    label = gettext_for(LANGUAGES[0])(MENU_BUTTON)
    button = MenuButtonWebApp(label, WebAppInfo(dashboard_entry.app_url(web_url)))
    await application.bot.set_chat_menu_button(menu_button=button)


def serve_dashboard(server: web.Application, application: Application) -> None:
    """Serves the dashboard on the server of the health check (and of the webhook) when
    ALLIANCE_WEB_URL is set, with the bot's use cases and token (Mini App sign-in)."""
    services = application.bot_data["telegram"].services
    if services.core.web_url is None:
        return
    from bot.web import app as dashboard  # its templates load only where it is served
    from bot.web.config import WebConfig

    config = WebConfig(services, application.bot.token, services.core.web_url)
    dashboard.add_dashboard(server, config)
    log.info("dashboard served at %s/", services.core.web_url)
