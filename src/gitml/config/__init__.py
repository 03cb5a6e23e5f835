"""gitml's settings: the ``[tool.gitml]`` table of the project's ``pyproject.toml``.

Unknown keys and values of the wrong type are errors, never silently ignored: a typo in a gate would
otherwise turn into a gate that always passes. Every table is parsed when the settings are loaded
(``load_settings``), so a typo anywhere is an error at load, whatever the command.

``values`` holds what every table shares (gates, strict numbers, unknown keys), ``monitor`` the
``[tool.gitml.monitor]`` table, ``signing`` ``[tool.gitml.signing]``, ``validate``
``[tool.gitml.validate]``, ``deploy`` ``[tool.gitml.deploy]``, ``settings`` the rest and the
loader.
"""

from gitml.config.deploy import DeploySettings, parse_deploy_settings
from gitml.config.monitor import (
    Chunking,
    FeatureSettings,
    MonitorSettings,
    parse_chunk,
    parse_monitor_settings,
)
from gitml.config.settings import (
    STAGE_NAME,
    PromoteSettings,
    RetrainSettings,
    Settings,
    SweepSettings,
    load_settings,
    parse_settings,
    parse_sweep,
)
from gitml.config.signing import SigningSettings, parse_signing_settings
from gitml.config.validate import VALIDATE_METRICS, ValidateSettings, parse_validate_settings
from gitml.config.values import (
    DIRECTIONS,
    GATE_RULES,
    Gate,
    check_keys,
    number_setting,
    tomllib,
)

__all__ = [
    "DIRECTIONS",
    "GATE_RULES",
    "STAGE_NAME",
    "VALIDATE_METRICS",
    "Chunking",
    "DeploySettings",
    "FeatureSettings",
    "Gate",
    "MonitorSettings",
    "PromoteSettings",
    "RetrainSettings",
    "Settings",
    "SigningSettings",
    "SweepSettings",
    "ValidateSettings",
    "check_keys",
    "load_settings",
    "number_setting",
    "parse_chunk",
    "parse_deploy_settings",
    "parse_monitor_settings",
    "parse_settings",
    "parse_signing_settings",
    "parse_sweep",
    "parse_validate_settings",
    "tomllib",
]
