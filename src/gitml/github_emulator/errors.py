"""The error responses GitHub sends: 404, 422 ``Validation Failed`` and the others."""

from __future__ import annotations

from typing import Any

from gitml.github_emulator.limits import DOCS, MAX_COMMENT_BODY

#: GitHub's message for a status when a fault gives no body of its own.
REASONS = {
    400: "Bad Request",
    401: "Bad credentials",
    403: "Forbidden",
    404: "Not Found",
    422: "Validation Failed",
    500: "Server Error",
    502: "Server Error",
    503: "Service Unavailable",
    504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting "
    "your request and contact us if the problem persists.",
}


class EmulatorError(Exception):
    """A response to send: status, JSON body and extra headers."""

    def __init__(self, status: int, message: str, headers: dict | None = None, **extra: Any):
        super().__init__(message)
        self.status = status
        self.body = {"message": message, "documentation_url": DOCS, "status": str(status), **extra}
        self.headers = headers or {}


def not_found() -> EmulatorError:
    """GitHub's 404, also for what a token may not see (a private repository)."""
    return EmulatorError(404, "Not Found")


def validation_failed(*errors: dict[str, Any]) -> EmulatorError:
    """GitHub's 422 ``Validation Failed`` with its ``errors`` list."""
    return EmulatorError(422, "Validation Failed", errors=list(errors))


def invalid_request(detail: str) -> EmulatorError:
    """GitHub's 422 for a request body that does not match the endpoint's schema."""
    return EmulatorError(422, f"Invalid request.\n\n{detail}")


def too_long(resource: str) -> EmulatorError:
    """The 422 for a body over 65,536 characters."""
    return validation_failed(
        {
            "resource": resource,
            "code": "custom",
            "field": "body",
            "message": f"body is too long (maximum is {MAX_COMMENT_BODY} characters)",
        }
    )


def checked_body(payload: dict[str, Any], resource: str) -> str:
    """The ``body`` of a comment or issue, or GitHub's 422 for a missing or too long one."""
    body = payload.get("body")
    if not isinstance(body, str):
        raise invalid_request('"body" wasn\'t supplied.')
    if len(body) > MAX_COMMENT_BODY:
        raise too_long(resource)
    return body
