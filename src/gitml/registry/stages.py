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
    """The stages of the registry: those allowed in ``.gto`` if set, else those its tags use."""
    import gto.api
    from gto.exceptions import GTOException

    try:
        return sorted(gto.api.get_stages(str(root)) or [])
    except GTOException:
        return []


def choose_stage(stages: list[str]) -> str:
    """The promote stage among the registry's ``stages``; a ``ConfigError`` when none stands out.

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
        f'set [tool.gitml.promote] stage = "{(pre_production or candidates or stages)[0]}" (or '
        "another of them) in pyproject.toml, or pass --stage"
    )


def promote_stage(root: Path | str, settings: Settings) -> str:
    """The configured promote stage, else the one chosen from the registry's stages."""
    return settings.promote.stage or choose_stage(registry_stages(root))
