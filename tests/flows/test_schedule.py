"""When check-ins fall due: from the signature, at the partnership's rhythm, in its zone."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flows.schedule import (
    DEFAULT_RHYTHM,
    FINAL,
    NO_REVIEW_BEFORE_END,
    PULSE,
    REVIEW,
    Rhythm,
    add_months,
    latest_due,
    next_due,
    rhythm_answers,
    rhythm_of,
    schedule,
)
from knowledge import load_questionnaire

PARIS = ZoneInfo("Europe/Paris")
SIGNED = date(2027, 1, 15)


def local_days(dues, kind):
    """The local days of the dues people are told are of that kind (FINAL apart)."""
    return [d.at.astimezone(PARIS).date() for d in dues if d.shown_kind == kind]


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


def test_the_final_evaluation_falls_on_the_end_date_and_nothing_after():
    end = date(2028, 6, 30)
    dues = schedule(SIGNED, frequency="quarterly", end=end, zone=PARIS)
    # The guide's final evaluation: a full review, on the day the convention ends, the last.
    assert local_days(dues, FINAL) == [end]
    assert dues[-1].final and dues[-1].kind == REVIEW
    assert [d for d in dues if d.final] == [dues[-1]]
    # The pulse of 15/07/2028 is past the end; none falls within 30 days of the final one.
    assert all(abs((day - end).days) > 30 for day in local_days(dues, PULSE))
    # Without an end date, no final evaluation.
    assert local_days(schedule(SIGNED, frequency=None, end=None, zone=PARIS), FINAL) == []


def test_a_convention_shorter_than_the_review_before_its_end_gets_only_the_final_one():
    # Seven weeks: no full review on the signature day; the first pulse gives way to the end.
    end = SIGNED + timedelta(weeks=7)
    dues = schedule(SIGNED, frequency=None, end=end, zone=PARIS)
    assert [(d.at.astimezone(PARIS).date(), d.shown_kind) for d in dues] == [(end, FINAL)]


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
    custom = Rhythm(timedelta(weeks=12), None, yearly_review=False)
    for end in (None, date(2028, 6, 30), date(2031, 2, 1)):
        for frequency in (None, "half_yearly"):
            for rhythm in (DEFAULT_RHYTHM, custom):
                whole = schedule(SIGNED, frequency=frequency, end=end, zone=PARIS, rhythm=rhythm)
                for days in (0, 41, 42, 200, 364, 365, 396, 600, 730, 1500, 4000):
                    until = datetime(2027, 1, 15, 8, tzinfo=UTC) + timedelta(days=days)
                    cut = schedule(
                        SIGNED, frequency=frequency, end=end, zone=PARIS, until=until, rhythm=rhythm
                    )
                    assert cut == [due for due in whole if due.at <= until]


def test_a_rhythm_set_in_the_followup_moves_the_due_dates():
    rhythm = Rhythm(
        first_pulse_after=timedelta(weeks=4),
        review_before_end=timedelta(weeks=12),
        yearly_review=False,
    )
    end = date(2029, 1, 15)
    dues = schedule(SIGNED, frequency="half_yearly", end=end, zone=PARIS, rhythm=rhythm)
    assert local_days(dues, PULSE)[0] == date(2027, 2, 12)  # four weeks, not six
    # No yearly review: the one 12 weeks before the end, then the final one.
    assert local_days(dues, REVIEW) == [date(2028, 10, 23)]
    assert local_days(dues, FINAL) == [end]
    # Without a review before the end, the final evaluation is the only full review.
    alone = Rhythm(review_before_end=None, yearly_review=False)
    dues = schedule(SIGNED, frequency=None, end=end, zone=PARIS, rhythm=alone)
    assert local_days(dues, REVIEW) == [] and local_days(dues, FINAL) == [end]


def test_the_followup_answers_set_the_rhythm_or_keep_alliances():
    assert rhythm_of(None) == rhythm_of({}) == DEFAULT_RHYTHM
    # Kept (or never asked, as for a partnership set up before): Alliance's rhythm.
    assert rhythm_of({"keep_rhythm": "yes", "first_checkin": "4"}) == DEFAULT_RHYTHM
    custom = {
        "keep_rhythm": "no",
        "first_checkin": "12",
        "review_before_end": "none",
        "yearly_review": "no",
    }
    assert rhythm_of(custom) == Rhythm(
        first_pulse_after=timedelta(weeks=12), review_before_end=None, yearly_review=False
    )
    # The answers that set a rhythm read back as that rhythm, Alliance's included.
    for rhythm in (DEFAULT_RHYTHM, rhythm_of(custom), Rhythm(timedelta(weeks=4))):
        assert rhythm_of(rhythm_answers(rhythm)) == rhythm
    assert rhythm_answers()["keep_rhythm"] == "yes"
    # An answer missing or unreadable keeps Alliance's value for it.
    assert rhythm_of({"keep_rhythm": "no", "first_checkin": "soon"}) == DEFAULT_RHYTHM
    assert rhythm_of({"keep_rhythm": "no", "review_before_end": "4"}).review_before_end == (
        timedelta(weeks=4)
    )


def test_each_rhythm_offered_in_the_followup_is_understood_and_our_advice_is_the_default():
    followup = load_questionnaire("followup")
    first, before = followup.question("first_checkin"), followup.question("review_before_end")
    for option in first.options:
        rhythm = rhythm_of({"keep_rhythm": "no", "first_checkin": option.id})
        assert rhythm.first_pulse_after == timedelta(weeks=int(option.id))
    for option in before.options:
        rhythm = rhythm_of({"keep_rhythm": "no", "review_before_end": option.id})
        expected = None if option.id == NO_REVIEW_BEFORE_END else timedelta(weeks=int(option.id))
        assert rhythm.review_before_end == expected
    # The option marked as our advice is the value Alliance uses when the rhythm is kept.
    for question, value in (
        (first, DEFAULT_RHYTHM.first_pulse_after),
        (before, DEFAULT_RHYTHM.review_before_end),
    ):
        (advised,) = [o for o in question.options if "notre conseil" in o.label.fr]
        assert "our advice" in advised.label.en
        assert timedelta(weeks=int(advised.id)) == value
