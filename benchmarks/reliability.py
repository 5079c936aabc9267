"""Tries each fault of the reliability report several times and prints the table.

Each fault is one end-to-end test that provokes it against the real parts (the bot's
process or Application, the strict fake Bot API, SQLite or PostgreSQL) and asserts what
the user would notice: nothing lost, nothing repeated outside the documented window after
a kill. A run passes or fails as a whole; the table counts them.

    .venv/bin/python benchmarks/reliability.py [--runs 5] [--only WORD]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Fault:
    what: str
    database: str
    test: str
    # What the test asserts about the user's messages and data.
    holds: str


FAULTS = [
    Fault(
        "bot SIGKILLed mid-questionnaire, restarted",
        "SQLite",
        "tests/bot/test_robustness_e2e.py::test_sigkill_in_the_middle_then_restart_carries_on",
        "the next answer lands on the right question; a not-yet-marked edit comes again",
    ),
    Fault(
        "bot killed right after fetching updates",
        "SQLite",
        "tests/bot/telegram/test_delivery_e2e.py::"
        "test_a_process_killed_right_after_fetching_updates_handles_them_all",
        "every fetched update handled once after restart",
    ),
    Fault(
        "bot killed while sending documents",
        "SQLite",
        "tests/bot/telegram/test_delivery_e2e.py::"
        "test_a_process_killed_while_sending_documents_sends_them_after_restart",
        "each document arrives after restart",
    ),
    Fault(
        "Telegram answers after the client's time-out",
        "SQLite",
        "tests/bot/telegram/test_delivery_e2e.py::"
        "test_a_send_answered_after_the_time_out_leaves_one_live_question",
        "one live question",
    ),
    Fault(
        "5xx three times in a row",
        "SQLite",
        "tests/bot/telegram/test_delivery_e2e.py::"
        "test_three_failed_sends_in_a_row_then_the_question_arrives_once",
        "the question arrives once",
    ),
    Fault(
        "check-in dispatcher killed while sending",
        "SQLite",
        "tests/bot/test_checkins_faults_e2e.py::"
        "test_a_dispatcher_killed_while_sending_loses_nothing_and_repeats_nothing",
        "every invitation once",
    ),
    Fault(
        "two dispatchers at once",
        "PostgreSQL",
        "tests/bot/test_checkins_faults_e2e.py::"
        "test_two_dispatchers_at_once_on_postgresql_ask_everyone_exactly_once",
        "every respondent asked exactly once",
    ),
    Fault(
        "429 with retry_after",
        "SQLite",
        "tests/bot/test_checkins_faults_e2e.py::test_a_429_waits_the_time_it_names_for_that_chat_only",
        "sent once after the wait, other chats not delayed",
    ),
    Fault(
        "403 (a respondent blocked the bot)",
        "SQLite",
        "tests/bot/test_checkins_faults_e2e.py::"
        "test_a_403_marks_the_respondent_unreachable_shown_and_not_retried",
        "marked unreachable, shown, not retried",
    ),
    Fault(
        "Telegram unreachable during a dispatch",
        "SQLite",
        "tests/bot/test_checkins_faults_e2e.py::"
        "test_telegram_unreachable_says_so_and_the_next_run_sends_what_waited",
        "the next run sends what waited, once each",
    ),
    Fault(
        "an instance killed with messages to send",
        "PostgreSQL",
        "tests/bot/test_instances_e2e.py::"
        "test_an_instance_killed_with_messages_to_send_has_them_sent_by_the_other",
        "the other instance sends them, once",
    ),
    Fault(
        "one update posted to two instances at once",
        "PostgreSQL",
        "tests/bot/test_instances_e2e.py::"
        "test_the_same_update_posted_to_both_instances_at_once_is_handled_once",
        "handled once",
    ),
    Fault(
        "PostgreSQL out of reach for 10 s in polling mode",
        "PostgreSQL",
        "tests/bot/test_outage_e2e.py::test_postgresql_out_of_reach_in_polling_mode",
        "every message and press answered once after; <= 2 getUpdates/s; 2 log lines",
    ),
    Fault(
        "backend terminated on every try / connection cut mid-handling",
        "PostgreSQL",
        "tests/bot/test_outage_e2e.py::"
        "test_an_update_the_database_failed_is_handled_again_when_it_answers",
        "not marked handled, no apology, answered once when the database is back",
    ),
    Fault(
        "backend terminated during an answer",
        "PostgreSQL",
        "tests/bot/services/test_transient_errors.py::"
        "test_a_terminated_backend_during_an_answer_saves_it_once_after_a_retry",
        "the answer saved once after a retry",
    ),
    Fault(
        "8 people redeem one invitation at once",
        "PostgreSQL",
        "tests/bot/services/test_races_pg.py::"
        "test_one_invitation_redeemed_by_eight_people_at_once_admits_one",
        "one member",
    ),
    Fault(
        "5 people start the same check-in at once",
        "PostgreSQL",
        "tests/bot/services/test_races_pg.py::"
        "test_five_people_starting_the_same_check_in_at_once_open_one_round",
        "one round, one invitation each",
    ),
    Fault(
        "the same update delivered twice at once",
        "SQLite",
        "tests/bot/telegram/test_concurrency_e2e.py::"
        "test_the_same_update_delivered_twice_at_once_is_handled_once",
        "handled once",
    ),
    Fault(
        "the same webhook update posted twice",
        "SQLite",
        "tests/bot/test_webhook_e2e.py::test_an_update_posted_twice_is_handled_once",
        "handled once",
    ),
    Fault(
        "a webhook body sent one byte a second",
        "SQLite",
        "tests/bot/test_webhook_e2e.py::test_a_body_sent_slowly_is_cut_after_the_read_timeout",
        "cut after the time-out; the bot still answers",
    ),
    Fault(
        "an edit Telegram refuses as too long",
        "SQLite",
        "tests/bot/telegram/test_refused_edits_e2e.py::"
        "test_an_edit_telegram_finds_too_long_is_sent_as_new_messages_not_dropped",
        "sent as new messages, not dropped",
    ),
    Fault(
        "a file heavier than Telegram takes",
        "SQLite",
        "tests/bot/test_privacy_e2e.py::"
        "test_a_file_too_heavy_for_telegram_comes_compressed_or_a_message_says_so",
        "sent compressed, or a message says so",
    ),
]


def run(test: str) -> tuple[bool, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return done.returncode == 0, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="only the faults whose test names this")
    args = parser.parse_args()
    print("| fault | database | runs | passed | s per run | what holds |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for fault in FAULTS:
        if args.only not in fault.test:
            continue
        results = [run(fault.test) for _ in range(args.runs)]
        passed = sum(ok for ok, _ in results)
        seconds = sum(s for _, s in results) / len(results)
        print(
            f"| {fault.what} | {fault.database} | {args.runs} | {passed} | {seconds:.1f} "
            f"| {fault.holds} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
