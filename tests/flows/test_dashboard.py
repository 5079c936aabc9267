"""The portfolio's filters as a query string gives them: what a link of ours carries is kept,
anything else is ignored rather than failing."""

import pytest

from flows.dashboard import Filters, parse_filters

STAGES = ("diagnosis", "implementation")
ORGANISATIONS = (7, 12)


def test_the_filters_a_link_carries_are_kept():
    query = {"stage": "implementation", "health": "red", "organisation": "12", "alert": "open"}
    filters = parse_filters(query, STAGES, ORGANISATIONS)
    assert filters == Filters("implementation", "red", 12, "open")
    assert filters.as_query() == query


@pytest.mark.parametrize(
    "raw",
    ["", "13", "-7", "7.0", " 7", "²", "٣", "9" * 5000, "0" * 9 + "7" + "0"],
    ids=[
        "empty",
        "not ours",
        "negative",
        "decimal",
        "space",
        "superscript",
        "arabic-indic",
        "five thousand digits",
        "eleven digits",
    ],
)
def test_an_organisation_that_is_not_one_of_ours_is_ignored(raw):
    assert parse_filters({"organisation": raw}, STAGES, ORGANISATIONS).organisation is None


def test_leading_zeros_still_name_the_organisation():
    assert parse_filters({"organisation": "007"}, STAGES, ORGANISATIONS).organisation == 7
