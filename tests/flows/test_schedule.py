"""When check-ins fall due: from the signature, at the partnership's rhythm, in its zone."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flows.schedule import PULSE, REVIEW, add_months, latest_due, next_due, schedule

PARIS = ZoneInfo("Europe/Paris")
SIGNED = date(2027, 1, 15)


def local_days(dues, kind):
    return [d.at.astimezone(PARIS).date() for d in dues if d.kind == kind]


def test_a_first_pulse_weeks_after_signature_then_quarterly_the_first_year_then_half_yearly():
    dues = schedule(SIGNED, frequency="quarterly", end=None, zone=PARIS)
    pulses = local_days(dues, PULSE)
    assert pulses[:6] == [
        date(2027, 2, 26),  # six weeks after signature
        date(2027, 4, 15),
        date(2027, 7, 15),
        date(2027, 10, 15),
        # the 12th month goes to the yearly full review
        date(2028, 7, 15),
        # the 24th month too
        date(2029, 7, 15),
    ]
    assert local_days(dues, REVIEW)[:2] == [date(2028, 1, 15), date(2029, 1, 15)]


def test_half_yearly_from_the_start_when_the_followup_says_so():
    dues = schedule(SIGNED, frequency="half_yearly", end=None, zone=PARIS)
    assert local_days(dues, PULSE)[:3] == [date(2027, 2, 26), date(2027, 7, 15), date(2028, 7, 15)]


def test_a_full_review_comes_weeks_before_the_end_so_renewal_is_decided_in_time():
    dues = schedule(SIGNED, frequency=None, end=date(2028, 6, 30), zone=PARIS)
    reviews = local_days(dues, REVIEW)
    assert reviews == [date(2028, 1, 15), date(2028, 5, 5)]
    assert all(day <= date(2028, 6, 30) for day in local_days(dues, PULSE))


def test_due_at_nine_in_the_configured_zone_winter_and_summer():
    dues = schedule(SIGNED, frequency=None, end=None, zone=PARIS)
    winter = next(d.at for d in dues if d.at.astimezone(PARIS).month == 2)
    summer = next(d.at for d in dues if d.at.astimezone(PARIS).month == 7)
    assert (winter.hour, summer.hour) == (8, 7)  # 9:00 in Paris, in UTC
    assert winter.tzinfo == UTC or winter.utcoffset() == timedelta(0)


def test_missed_rounds_are_caught_up_once_not_once_per_period():
    dues = schedule(SIGNED, frequency=None, end=None, zone=PARIS)
    # The bot was down for a year and a half: one pulse and one review are due, the latest.
    now = datetime(2028, 8, 1, tzinfo=UTC)
    latest = latest_due(dues, now)
    assert latest[PULSE].at.astimezone(PARIS).date() == date(2028, 7, 15)
    assert latest[REVIEW].at.astimezone(PARIS).date() == date(2028, 1, 15)
    assert next_due(dues, now).at.astimezone(PARIS).date() == date(2029, 1, 15)


def test_months_are_added_without_overflowing_short_months():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_drawn_up_to_a_moment_it_is_the_whole_schedule_cut_there():
    # The dispatcher draws only what has come due: the same dates, whatever the moment.
    for end in (None, date(2028, 6, 30), date(2031, 2, 1)):
        for frequency in (None, "half_yearly"):
            whole = schedule(SIGNED, frequency=frequency, end=end, zone=PARIS)
            for days in (0, 41, 42, 200, 364, 365, 396, 600, 730, 1500, 4000):
                until = datetime(2027, 1, 15, 8, tzinfo=UTC) + timedelta(days=days)
                cut = schedule(SIGNED, frequency=frequency, end=end, zone=PARIS, until=until)
                assert cut == [due for due in whole if due.at <= until]
