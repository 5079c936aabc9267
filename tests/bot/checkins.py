"""Partnerships ready to be evaluated, and the check-in command run as cron runs it."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from storage import repository
from storage.db import make_engine, session_scope
from storage.models import CheckInInvite, CheckInRound, Partnership, User

PARIS = ZoneInfo("Europe/Paris")
DAY = timedelta(days=1)
SIGNED = date(2027, 1, 15)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """That day and time in Paris."""
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def many_evaluated_partnerships(database_url: str, count: int, first_chat: int = 10_000) -> list:
    """`count` partnerships signed on SIGNED, each with one member and one partner contact;
    returns their (member chat, partner chat) pairs."""
    engine = make_engine(database_url)
    pairs = []
    with session_scope(engine) as db:
        for index in range(count):
            ours, theirs = first_chat + 2 * index, first_chat + 2 * index + 1
            owner = repository.get_or_create_user(db, external_id=f"tg:{ours}", language="fr")
            partnership = repository.create_partnership(
                db,
                user=owner,
                name=f"Alliance {index}",
                our_organisation="Rebond",
                partner_name="Martin",
            )
            db.flush()
            contact = repository.get_or_create_user(db, external_id=f"tg:{theirs}", language="fr")
            repository.add_member(db, partnership_id=partnership.id, user=contact, role="partner")
            partnership.stage = "implementation"
            partnership.followup = {"signature_date": SIGNED.isoformat()}
            db.add(partnership)
            pairs.append((ours, theirs))
    engine.dispose()
    return pairs


def evaluated_partnership(
    database_url: str,
    *,
    ours: tuple[int, ...] = (101, 102),
    theirs: tuple[int, ...] = (201, 202),
    name: str = "Alliance Emploi",
    signed: date = SIGNED,
    end: date | None = None,
) -> int:
    """A partnership in implementation, signed on `signed`, with members of our organisation
    (`ours`, Telegram ids) and partner contacts (`theirs`): all respondents."""
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        owner = repository.get_or_create_user(
            db, external_id=f"tg:{ours[0]}", language="fr", name=f"Membre {ours[0]}"
        )
        partnership = repository.create_partnership(
            db,
            user=owner,
            name=name,
            our_organisation="Association Rebond",
            partner_name="Boulangeries Martin",
        )
        db.flush()
        for chat in ours[1:] + theirs:
            user = repository.get_or_create_user(
                db, external_id=f"tg:{chat}", language="fr", name=f"Contact {chat}"
            )
            role = "member" if chat in ours else "partner"
            repository.add_member(db, partnership_id=partnership.id, user=user, role=role)
        partnership.stage = "implementation"
        partnership.followup = {
            "referent_ours": "Claire",
            "referent_partner": "Marc",
            "frequency": "quarterly",
            "signature_date": signed.isoformat(),
        } | ({"end_date": end.isoformat()} if end else {})
        db.add(partnership)
        db.flush()
        pid = partnership.id
    engine.dispose()
    return pid


def rounds_of(database_url: str, pid: int) -> list[CheckInRound]:
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        rounds = repository_rounds(db, pid)
    engine.dispose()
    return rounds


def repository_rounds(db, pid: int) -> list[CheckInRound]:
    from storage import checkins

    return checkins.rounds_of(db, partnership_id=pid)


def invites_of(database_url: str, round_id: int) -> list[CheckInInvite]:
    from storage import checkins

    engine = make_engine(database_url)
    with session_scope(engine) as db:
        invites = checkins.invites_of(db, round_id=round_id)
    engine.dispose()
    return invites


def stage_of(database_url: str, pid: int) -> tuple[str, list[tuple[str, str]]]:
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        stage = db.get(Partnership, pid).stage
        moves = [(m.trigger, m.dest) for m in repository.stage_history(db, partnership_id=pid)]
    engine.dispose()
    return stage, moves


def started(api, database_url: str) -> None:
    """Everyone this module seeds joined through the bot, so had started it: Telegram lets
    the bot write to them."""
    engine = make_engine(database_url)
    with session_scope(engine) as db:
        for external_id in db.exec(select(User.external_id)):
            if external_id.startswith("tg:"):
                api.open_chat(int(external_id.removeprefix("tg:")))
    engine.dispose()


def checkins_process(api, database_url: str, moment: datetime, *, rate: int = 1000):
    """Starts `alliance checkins run --at <moment>`, as cron would."""
    started(api, database_url)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": database_url,
        "ALLIANCE_MAX_MESSAGES_PER_SECOND": str(rate),
        "ALLIANCE_CHAT_MESSAGES_PER_SECOND": "1000",
    }
    return asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "checkins",
        "run",
        "--at",
        moment.isoformat(),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run_checkins(api, database_url: str, moment: datetime, *, rate: int = 1000) -> str:
    """`alliance checkins run --at <moment>`, to its end; returns what it printed."""
    process = await checkins_process(api, database_url, moment, rate=rate)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()[-2000:]
    return out.decode() + err.decode()[-1500:]
