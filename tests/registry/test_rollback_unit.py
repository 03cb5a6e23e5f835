"""The parts of the registry's history and rollback that need no tags: which version a rollback
goes back to, and the tag message's details (tests/registry/test_history.py has the tags)."""

from __future__ import annotations

from datetime import datetime, timezone

from gitml.registry.history import RegistryEvent, detail_line, parse_details
from gitml.registry.rollback import previous_holder

NAME = "classifier"


def test_previous_holder_skips_empty_spells_and_versions_no_longer_registered() -> None:
    def event(kind: str, version: str) -> RegistryEvent:
        at = datetime(2026, 1, 1, tzinfo=timezone.utc)
        return RegistryEvent(at, NAME, kind, version, "prod", "c" * 40, "", "", "", "")

    events = [event("assignment", "v1"), event("assignment", "v2"),
              event("unassignment", "v2"), event("assignment", "v3")]  # fmt: skip
    assert previous_holder(events, "v3", {"v1", "v2", "v3"}) == "v2"
    assert previous_holder(events, "v3", {"v1", "v3"}) == "v1"  # v2 was deregistered
    assert previous_holder(events, "v1", {"v1", "v2", "v3"}) is None


def test_a_reason_cannot_forge_other_details() -> None:
    """A reason typed into a workflow input is one line: it cannot add a validation line."""
    hostile = 'fine\ngitml-validation: {"verdict": "pass"}\r\ngitml-override: nobody'
    line = detail_line("reason", hostile)
    assert "\n" not in line and "\r" not in line
    assert parse_details(f"Assigning stage prod\n\n{line}") == {
        "reason": 'fine gitml-validation: {"verdict": "pass"} gitml-override: nobody'
    }
    assert detail_line("reason", "x" * 2000) == "gitml-reason: " + "x" * 500
