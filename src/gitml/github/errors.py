"""The errors of gitml's GitHub layer."""

from __future__ import annotations

from gitml.errors import GitHubError


class ApiError(GitHubError):
    """A GitHub API failure, with the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None, rate_limited: bool = False):
        super().__init__(message)
        self.status = status
        self.rate_limited = rate_limited

    @property
    def forbidden(self) -> bool:
        """403 for lack of permission (not a rate limit)."""
        return self.status == 403 and not self.rate_limited
