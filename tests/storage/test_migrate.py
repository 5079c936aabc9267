"""Migrations when several instances start at once, and when migrating at start is off."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.migrate import schema_state, upgrade
from tests.conftest import POSTGRES_URL


def test_instances_starting_at_once_on_postgresql_migrate_one_after_the_other(postgres_url):
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"alliance_migrate_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    start, failures = threading.Barrier(4), []

    def instance() -> None:
        start.wait()
        try:
            upgrade(url)
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            failures.append(error)

    try:
        threads = [threading.Thread(target=instance) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        current, head = schema_state(url)
        assert current == head
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def alliance(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": database_url, **env}
    environment.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_with_migration_off_a_schema_behind_is_refused_until_upgraded(tmp_path):
    url = f"sqlite:///{tmp_path / 'alliance.db'}"
    upgrade(url, "0003")
    refused = alliance("checkins", "run", database_url=url, ALLIANCE_MIGRATE="0")
    assert refused.returncode == 2
    assert "Run `alliance db upgrade` first" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert schema_state(url)[0] != schema_state(url)[1]
    assert alliance("db", "upgrade", database_url=url).returncode == 0
    accepted = alliance("checkins", "run", database_url=url, ALLIANCE_MIGRATE="0")
    assert accepted.returncode == 0, accepted.stderr
