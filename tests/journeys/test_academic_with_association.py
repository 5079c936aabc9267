"""A university lab studies a reading method with an association, then asks to modify
the partnership after the full review."""

from tests.journeys.personas import LABO
from tests.journeys.story import live


async def test_the_whole_chain(world):
    await live(world.api, world.database_url, LABO)
