"""A town (Villeurbanne) opens shared gardens with a neighbourhood association, then renews."""

from tests.journeys.personas import VILLE
from tests.journeys.story import live


async def test_the_whole_chain(world):
    await live(world.api, world.database_url, VILLE)
