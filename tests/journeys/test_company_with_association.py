"""A company's CSR team (Groupe Vialis) builds a return-to-work partnership with an
association, then asks to modify it after the full review."""

from tests.journeys.personas import VIALIS
from tests.journeys.story import live


async def test_the_whole_chain(world):
    await live(world.api, world.database_url, VIALIS)
