"""A coordinator's list of partnerships: most urgent first as given, one button each, and
never longer than one Telegram message however many and however long the names."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.results import FollowedList, PartnershipStatus, PartnershipSummary
from bot.views.partnerships import followed_screen
from flows.health import advice
from flows.roles import COORDINATOR, MEMBER, RIGHTS

ZONE = ZoneInfo("Europe/Paris")


def status(pid: int, name: str, light: str | None, role=COORDINATOR, **dates) -> PartnershipStatus:
    summary = PartnershipSummary(
        id=pid,
        name=name,
        our_organisation="Rebond",
        partner_name="Acme",
        theme=None,
        territory=None,
        stage="implementation",
        revision=3,
        role=role,
        rights=RIGHTS[role],
    )
    reason = advice("round_late").title if light in ("red", "amber") else None
    return PartnershipStatus(summary, light, reason, **dates)


def test_each_line_says_its_step_light_reason_and_what_comes_next():
    rows = (
        status(1, "Alliance Emploi", "red", late_since=datetime(2027, 3, 1, 8, tzinfo=UTC)),
        status(2, "Jardins", "green", next_checkin=datetime(2027, 6, 1, 7, tzinfo=UTC)),
        status(3, "Nouveau", None, role=MEMBER),
    )
    screen = followed_screen(FollowedList(("Rebond",), rows, 0, 3), "fr", ZONE)
    lines = [line for line in screen.text.splitlines() if line.startswith(("🔴", "🟢", "⚪"))]
    assert lines[0].startswith("🔴 <b>Alliance Emploi</b> — étape 6/7 (mise en œuvre) · rouge")
    assert "Point d’étape en retard" in lines[0]
    assert "en retard depuis le 01/03/2027" in lines[0]
    assert "vert" in lines[1] and "prochain point d’étape le 01/06/2027" in lines[1]
    # Not computed yet, the user's own partnership (its role said), the active one marked.
    assert "pas encore évalué" in lines[2] and "membre" in lines[2] and "◀" in lines[2]
    assert [b.data for row in screen.buttons for b in row] == [
        f"v1:p:{pid}:3:open" for pid in (1, 2, 3)
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_list_stays_under_telegrams_limit_and_counts_the_rest(language):
    rows = tuple(
        status(i, f"Partenariat {i} " + "très long nom " * 20, "red", late_since=datetime.now(UTC))
        for i in range(1, 41)
    )
    screen = followed_screen(FollowedList(("Rebond",), rows, 40, None), language, ZONE)
    shown = sum(len(row) for row in screen.buttons)
    assert len(screen.text) <= 4096
    assert 0 < shown < 40
    assert f"{40 + 40 - shown}" in screen.text.splitlines()[-2]
