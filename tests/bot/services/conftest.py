"""The use cases as a user reaches them, on a fresh SQLite database."""

from __future__ import annotations

import pytest

from bot.services import Services
from storage.db import make_engine
from tests.bot.client import Client


@pytest.fixture
def service(sqlite_url):
    engine = make_engine(sqlite_url)
    yield Client(Services(engine))
    engine.dispose()
