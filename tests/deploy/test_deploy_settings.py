"""``[tool.gitml.deploy]``: each bad value is one line naming the key and what it must be."""

from __future__ import annotations

import pytest

from gitml.config.deploy import parse_deploy_settings
from gitml.errors import ConfigError


def test_a_manifests_repository_is_read_with_the_stages() -> None:
    settings = parse_deploy_settings(
        {"repository": "acme/k8s-manifests", "stages": {"prod": "ml/prod/kustomization.yaml"}}
    )
    assert (settings.repository, settings.stages, settings.enabled) == (
        "acme/k8s-manifests", {"prod": "ml/prod/kustomization.yaml"}, True
    )  # fmt: skip
    assert parse_deploy_settings({}).repository is None


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ({"repository": "k8s-manifests"}, "must be a GitHub repository as OWNER/NAME"),
        ({"repository": "acme/../other"}, "must be a GitHub repository as OWNER/NAME"),
        ({"repository": "acme/.."}, "must be a GitHub repository as OWNER/NAME"),
        ({"repository": "https://github.com/acme/m"}, "must be a GitHub repository as OWNER/NAME"),
        ({"repository": ""}, "repository must be a non-empty string"),
        ({"stages": {"prod": "../prod/kustomization.yaml"}}, "must be a path inside"),
        ({"stages": {"prod": "prod/deployment.yaml"}}, "must name a kustomization.yaml"),
        ({"manifests": "acme/m"}, "manifests"),
    ],
)
def test_a_bad_value_is_refused_by_name(table, said) -> None:
    with pytest.raises(ConfigError, match=None) as refused:
        parse_deploy_settings(table)
    assert said in str(refused.value)
