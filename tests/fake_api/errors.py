"""Errors the fake Bot API answers, as Telegram words them."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer of the Bot API ({"ok": false, ...})."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram would send for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """A 400 answer: Telegram refuses what was asked."""
    return ApiError(400, f"Bad Request: {reason}")
