"""The floor of the check-in benchmark: a bare python-telegram-bot script that sends N
messages, one per chat, with nothing recorded, under python-telegram-bot's own
`AIORateLimiter` at the same overall rate.

It is what sending alone costs in CPU with python-telegram-bot and its HTTP client; the
dispatcher's figures are read against it. `benchmarks/bench_checkins.py --floor` runs it:

    TELEGRAM_BOT_TOKEN=123456:TEST TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot \\
        .venv/bin/python benchmarks/floor_fanout.py 1000
"""

from __future__ import annotations

import asyncio
import os
import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Defaults, ExtBot

TEXT = (
    "<b>Alliance {number}</b>\nC’est le moment du point d’étape : huit questions, "
    "deux minutes. Vos réponses restent entre les deux organisations."
)
FIRST_CHAT = 100_000


async def main(count: int) -> None:
    rate = float(os.environ.get("ALLIANCE_MAX_MESSAGES_PER_SECOND", "30"))
    bot = ExtBot(
        token=os.environ["TELEGRAM_BOT_TOKEN"],
        base_url=os.environ["TELEGRAM_API_BASE_URL"],
        defaults=Defaults(parse_mode=ParseMode.HTML),
        rate_limiter=AIORateLimiter(overall_max_rate=rate, max_retries=0),
    )
    # As many calls in flight as the dispatcher allows (its fan-out width).
    gate = asyncio.Semaphore(30)

    async def one(number: int) -> None:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Commencer", callback_data=f"v1:e:{number}:start")]]
        )
        async with gate:
            await bot.send_message(
                FIRST_CHAT + number, TEXT.format(number=number), reply_markup=markup
            )

    async with bot:
        await asyncio.gather(*(one(number) for number in range(count)))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
