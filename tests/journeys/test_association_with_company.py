"""Persona A: Rénov'Solidaire 93, an association of Seine-Saint-Denis, builds an energy
renovation partnership with ÉnerBat SAS, from its self-diagnosis to the renewal decision."""

import pytest

from tests.journeys.personas import RENOVATION
from tests.journeys.story import live


@pytest.mark.parametrize("journey_database", ["sqlite", "postgresql"], indirect=True)
async def test_an_association_and_a_company_walk_the_whole_chain(world):
    journal = await live(world.api, world.database_url, RENOVATION)
    print(journal.told())
    # Every request of the whole chain, both organisations, is one Telegram accepts: the
    # fake holds each to Telegram's published API (see tests/fake_api/spec.py).
    checked = [call for call in world.api.calls if call.method != "getUpdates"]
    assert len(checked) > 150
    assert world.api.refused == []
