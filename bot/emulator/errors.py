"""Bot API refusals: ApiError, answered as Telegram answers them, and the JSON object type."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

JsonDict = dict[str, Any]  # a Bot API object as decoded JSON


class ApiError(Exception):
    """A Bot API refusal, answered as {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JsonDict:
        """The JSON body Telegram sends for this error."""
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: ..." description."""
    return ApiError(400, f"Bad Request: {detail}")


def status_phrase(status: int) -> str:
    """The reason phrase of an HTTP status, "Error" for a status HTTP does not define."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
