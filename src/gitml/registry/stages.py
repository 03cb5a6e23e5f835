"""Which stage ``gitml promote`` assigns when ``[tool.gitml.promote] stage`` is not set.

A registry made before gitml (with ``gto``) has its own stage names: gitml extends them rather
than adding a stage of its own. gitml's promotion on merge is the pre-production step, so the
choice is ``staging`` when the registry has none yet, else the registry's pre-production stage.
"""

from __future__ import annotations

from pathlib import Path

from gitml.config import Settings
from gitml.errors import ConfigError

DEFAULT_STAGE = "staging"
#: Names teams give the stage a merge lands in before production.
PRE_PRODUCTION = ("staging", "stage", "stg", "preprod", "pre-prod", "pre-production")
#: Names of the production stage: a merge never goes there by default.
PRODUCTION = ("prod", "production", "prd", "live")


def registry_stages(root: Path | str) -> list[str]:
    """The stages of the registry in its own order: those allowed in ``.gto``, in the order the
    file lists them, else those its tags use, in the order each was first assigned."""
    import gto.api
    from gto.exceptions import GTOException

    try:
        allowed = gto.api.get_stages(str(root), allowed=True)
        if allowed:
            return list(allowed)
        events = gto.api.history(str(root), ascending=True)
    except GTOException:
        return []
    # history is ordered by time (one-second tags); the counter `#N` orders one second's tags
    assigned = sorted(
        (e for e in events if e.get("event") == "assignment" and e.get("stage")),
        key=lambda e: (e["timestamp"], _counter(str(e.get("ref", "")))),
    )
    return list(dict.fromkeys(e["stage"] for e in assigned))


def _counter(ref: str) -> int:
    """The ``N`` of a stage tag ``name#stage#N`` (0 for a tag without one)."""
    last = ref.rsplit("#", 1)[-1]
    return int(last) if last.isdigit() else 0


def choose_stage(stages: list[str]) -> str:
    """The promote stage among the registry's ``stages`` (in the registry's order); a
    ``ConfigError`` when none stands out, proposing the first stage before production.

    >>> choose_stage([])
    'staging'
    >>> choose_stage(["dev", "prod", "stage"])
    'stage'
    >>> choose_stage(["dev", "prod"])
    'dev'
    """
    if not stages or DEFAULT_STAGE in stages:
        return DEFAULT_STAGE
    candidates = [stage for stage in stages if stage.lower() not in PRODUCTION]
    pre_production = [stage for stage in candidates if stage.lower() in PRE_PRODUCTION]
    if len(pre_production) == 1:
        return pre_production[0]
    if len(candidates) == 1 and not pre_production:
        return candidates[0]
    raise ConfigError(
        f"cannot choose the stage to promote to: the registry uses the stages {', '.join(stages)}; "
        f'set [tool.gitml.promote] stage = "{proposed_stage(stages)}" (or another of them) in '
        "pyproject.toml, or pass --stage"
    )


def proposed_stage(stages: list[str]) -> str:
    """What to propose when no stage stands out: the first pre-production stage, else the first
    stage that is not production, in the registry's order; never production, where a merge
    does not go by default (``staging`` then, a stage gitml would add before it).

    >>> proposed_stage(["dev", "stage", "stg", "prod"])
    'stage'
    >>> proposed_stage(["dev", "qa", "prod"])
    'dev'
    >>> proposed_stage(["prod"])
    'staging'
    """
    candidates = [stage for stage in stages if stage.lower() not in PRODUCTION]
    pre_production = [stage for stage in candidates if stage.lower() in PRE_PRODUCTION]
    return (pre_production or candidates or [DEFAULT_STAGE])[0]


def promote_stage(root: Path | str, settings: Settings) -> str:
    """The configured promote stage, else the one chosen from the registry's stages."""
    return settings.promote.stage or choose_stage(registry_stages(root))
