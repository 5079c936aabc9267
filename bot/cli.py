"""The `alliance` command line."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys

from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="alliance", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the Telegram bot (long polling)")
    console = commands.add_parser("console", help="the same conversations in the terminal")
    console.add_argument("--user", default=None, help="who is talking (default: your login)")
    web = commands.add_parser(
        "web",
        help="serve the dashboard alone on ALLIANCE_LISTEN and print a one-time login link",
    )
    web.add_argument("--user", default=None, help="who signs in (default: your login)")
    db = commands.add_parser("db", help="database")
    db.add_subparsers(dest="db_command", required=True).add_parser(
        "upgrade", help="apply the migrations"
    )
    checkins = commands.add_parser("checkins", help="evaluation check-ins")
    checkins_run = checkins.add_subparsers(dest="checkins_command", required=True).add_parser(
        "run", help="send the check-ins and reminders due at that time, once, and exit"
    )
    checkins_run.add_argument(
        "--at", type=_moment, default=None, help="the time to dispatch at (ISO 8601)"
    )
    export = commands.add_parser("export", help="export partnerships, answers and evaluations")
    export.add_argument("--format", choices=("csv", "json", "xlsx"), default="csv")
    export.add_argument(
        "-o",
        "--output",
        default=None,
        help="the file (default: the screen); for CSV, FILE.zip or a folder (one file per table)",
    )
    export.add_argument("--partnership", type=int, default=None, metavar="ID")
    export.add_argument(
        "--organisation", type=int, default=None, metavar="ID", help="one organisation's only"
    )
    export.add_argument("--names", action="store_true", help="members' names instead of pseudonyms")
    export.add_argument(
        "--language", choices=("fr", "en"), default=None, help="of the labels (default: LANG)"
    )
    export.add_argument(
        "--at", type=_moment, default=None, help="the moment days and check-ins count from"
    )
    privacy = commands.add_parser("privacy", help="personal data")
    purge = privacy.add_subparsers(dest="privacy_command", required=True).add_parser(
        "purge", help="remove personal data past its retention"
    )
    purge.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    knowledge = commands.add_parser("knowledge", help="knowledge base")
    knowledge_check = knowledge.add_subparsers(dest="knowledge_command", required=True).add_parser(
        "check", help="validate the knowledge files"
    )
    knowledge_check.add_argument("--data", default=None, help="another data folder to check")
    knowledge_check.add_argument(
        "--seeds", default=None, help="the folder of the guides' texts the figures are held to"
    )
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command is None:
        # The main job: the bot when a token is set, else the terminal conversation.
        args.command = "run" if settings.telegram_bot_token else "console"
        args.user = None
    configure_logging(settings, terminal=args.command == "console")
    if args.command == "run":
        return run(settings)
    if args.command == "console":
        return run_console(settings, args.user)
    if args.command == "web":
        return run_web(settings, args.user)
    if args.command == "db":
        return upgrade(settings)
    if args.command == "checkins":
        return run_checkins(settings, args.at)
    if args.command == "export":
        return export_data(settings, args)
    if args.command == "privacy":
        return purge_personal_data(settings, args.older_than)
    if args.command == "knowledge":
        return check_knowledge(args.data, args.seeds)
    return 2


# The console's log file, in the documents folder (hidden there, made at its first line).
CONSOLE_LOG = ".alliance-console.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(settings: Settings, *, terminal: bool) -> None:
    """Logs to stderr; in the terminal conversation, to a file in the documents folder, so
    that no library's log line lands between the bot's messages (stderr takes only what
    cannot be written there)."""
    if terminal:
        handler: logging.Handler
        try:
            settings.alliance_documents_dir.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(
                settings.alliance_documents_dir / CONSOLE_LOG, encoding="utf-8", delay=True
            )
        except OSError:
            handler = logging.StreamHandler(sys.stderr)
            handler.setLevel(logging.WARNING)
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=[handler])
    else:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    # fontTools writes a line per table of every font it subsets (hundreds for one PDF);
    # the job queue's scheduler two lines per run of each job (every 10 s).
    for noisy in ("httpx", "transitions", "alembic", "fontTools", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def upgrade(settings: Settings) -> int:
    from storage.migrate import upgrade as apply_migrations

    apply_migrations(settings.database_url)
    print(f"Database up to date: {_safe_url(settings.database_url)}")
    return 0


def run(settings: Settings) -> int:
    if not settings.telegram_bot_token:
        print(
            "TELEGRAM_BOT_TOKEN is not set: give the bot token (from @BotFather) in the "
            "environment or in a .env file. Without it, `alliance console` runs the same "
            "conversations in the terminal.",
            file=sys.stderr,
        )
        return 2
    from bot.app import ALLOWED_UPDATES, build_application, serve_dashboard

    if settings.alliance_webhook_url and not _webhook_ready(settings):
        return 2
    if not _listen_ready(settings) or not prepare_database(settings):
        return 2
    from bot.process import freeze_loaded

    application = build_application(settings)
    freeze_loaded()
    if settings.alliance_webhook_url:
        return run_webhook(settings, application)
    from bot.telegram.health import serve_while_polling

    serve_while_polling(application, settings.alliance_listen, routes=serve_dashboard)
    application.run_polling(
        allowed_updates=ALLOWED_UPDATES,
        timeout=settings.alliance_polling_timeout,
        poll_interval=0,
    )
    return 0


def prepare_database(settings: Settings) -> bool:
    """Migrates the database first, unless ALLIANCE_MIGRATE=0 leaves that to a deployment
    step (`alliance db upgrade`); then a schema that is behind is refused."""
    from storage.migrate import schema_state, upgrade

    if settings.alliance_migrate:
        upgrade(settings.database_url)
        return True
    current, needed = schema_state(settings.database_url)
    if current != needed:
        print(
            f"The database schema is at revision {current or 'none'}; this version of Alliance "
            f"needs {needed}. Run `alliance db upgrade` first (migration at start is turned off "
            "by ALLIANCE_MIGRATE=0).",
            file=sys.stderr,
        )
        return False
    return True


def _webhook_ready(settings: Settings) -> bool:
    """A webhook needs its secret, in the form Telegram accepts."""
    from bot.telegram.webhook import SECRET_PATTERN

    secret = settings.alliance_webhook_secret or ""
    if not SECRET_PATTERN.match(secret):
        print(
            "ALLIANCE_WEBHOOK_SECRET must be set with ALLIANCE_WEBHOOK_URL: 1 to 256 letters, "
            "digits, _ or -. Telegram sends it with every update; other requests are refused.",
            file=sys.stderr,
        )
        return False
    return True


def _listen_ready(settings: Settings) -> bool:
    """The health check (and the webhook) listen on ALLIANCE_LISTEN, in either mode."""
    from bot.telegram.health import listen_address

    try:
        listen_address(settings.alliance_listen)
    except ValueError as error:
        print(error, file=sys.stderr)
        return False
    return True


def run_webhook(settings: Settings, application) -> int:
    import asyncio

    from bot.app import on_start, serve_dashboard
    from bot.telegram.webhook import serve

    asyncio.run(
        serve(
            application,
            url=settings.alliance_webhook_url,
            secret=settings.alliance_webhook_secret,
            listen=settings.alliance_listen,
            on_start=on_start,
            read_timeout=settings.alliance_webhook_read_timeout,
            max_requests=settings.alliance_webhook_max_requests,
            routes=serve_dashboard,
        )
    )
    return 0


def run_console(settings: Settings, user: str | None) -> int:
    from bot.console import Console
    from bot.services import Core, Services
    from storage.db import make_engine

    if not prepare_database(settings):
        return 2
    core = Core(settings.alliance_timezone, web_url=settings.alliance_web_url)
    services = Services(make_engine(settings.database_url), core)
    Console(services, terminal_actor(user), sys.stdout, settings.alliance_documents_dir).run(
        sys.stdin
    )
    return 0


def terminal_actor(user: str | None):
    """The terminal's user ("console:<login>"), as `alliance console` and `alliance web` name
    them: the same person, the same partnerships."""
    from bot.services import Actor
    from storage.addresses import Address

    login = user or getpass.getuser()
    return Actor(str(Address.terminal(login)), language_code=_locale(), name=login)


def run_web(settings: Settings, user: str | None) -> int:
    from bot import web_cli

    if not _listen_ready(settings) or not prepare_database(settings):
        return 2
    return web_cli.run(settings, terminal_actor(user))


def run_checkins(settings: Settings, at) -> int:
    from bot import checkins_cli

    if not prepare_database(settings):
        return 2
    done = checkins_cli.run(settings, at)
    print(
        f"Check-ins: {done.opened} partnership(s) with a new round, {done.closed} round(s) "
        f"closed; health: {done.raised} alert(s) raised, {done.cleared} cleared; "
        f"{done.alerts} alert(s) sent, {done.digests} weekly digest(s); "
        f"{done.messages} message(s) recorded for {len(done.chats)} chat(s)."
    )
    if not settings.telegram_bot_token:
        print(
            "TELEGRAM_BOT_TOKEN is not set: terminal users see their messages at their next "
            "line; Telegram users' wait in the outbox for the bot."
        )
    elif done.unsent_reason:
        print(
            f"Telegram could not be reached ({done.unsent_reason}): {done.waiting} message(s) "
            "stay recorded; the bot, or the next run, sends them.",
            file=sys.stderr,
        )
        return 1
    elif done.waiting:
        print(f"{done.waiting} message(s) wait for a later attempt (the bot sends them).")
    return 0


def export_data(settings: Settings, args) -> int:
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from bot.exporting import csv_folder, export
    from bot.i18n import language_of
    from storage.db import make_engine

    if args.format == "xlsx" and not args.output:
        print("An XLSX export needs a file: add -o FILE.xlsx", file=sys.stderr)
        return 2
    output = Path(args.output) if args.output else None
    if args.format == "csv" and output and not csv_folder(output) and output.suffix != ".zip":
        print("A CSV export is one file per table: -o FILE.zip or -o FOLDER", file=sys.stderr)
        return 2
    if not prepare_database(settings):
        return 2
    engine = make_engine(settings.database_url)
    count = export(
        engine,
        form=args.format,
        out=output,
        partnership_id=args.partnership,
        organisation_id=args.organisation,
        names=args.names,
        language=args.language or language_of(_locale()),
        zone=ZoneInfo(settings.alliance_timezone),
        now=args.at,
    )
    engine.dispose()
    if output is not None:
        print(f"{count} partnership(s) exported to {output}.", file=sys.stderr)
    return 0


def purge_personal_data(settings: Settings, days: int) -> int:
    from datetime import timedelta

    from storage import personal
    from storage.db import make_engine
    from storage.models import utcnow

    if days < 1:
        print("--older-than takes a number of days, 1 or more.", file=sys.stderr)
        return 2
    if not prepare_database(settings):
        return 2
    engine = make_engine(settings.database_url)
    # In short transactions of its own, so that the bot can run meanwhile.
    removed = personal.purge(engine, before=utcnow() - timedelta(days=days))
    engine.dispose()
    print(
        f"Removed: {removed['people']} person(s) in no partnership and inactive for {days} days, "
        f"{removed['files']} personal file(s), {removed['messages']} sent message(s), "
        f"{removed['updates']} handled update(s)."
    )
    return 0


def _moment(text: str):
    """An ISO 8601 moment; without a zone, UTC."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {text}") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_knowledge(data: str | None, seeds: str | None = None) -> int:
    from pathlib import Path

    from knowledge.check import check, seeds_present
    from knowledge.figures import SEEDS_DIR
    from knowledge.loader import DATA_DIR

    seeds_dir = Path(seeds) if seeds else SEEDS_DIR
    if not seeds_present(seeds_dir):
        # The guides' texts live beside the project, not in it: say what went unchecked.
        print(f"Figures not checked against the guides: their texts are not in {seeds_dir}.")
    problems = check(Path(data) if data else DATA_DIR, seeds_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in the knowledge files.", file=sys.stderr)
        return 1
    print("Knowledge files are valid.")
    return 0


def _locale() -> str:
    return (os.environ.get("LC_ALL") or os.environ.get("LANG") or "fr")[:2]


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    raise SystemExit(main())
