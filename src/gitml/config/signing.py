"""``[tool.gitml.signing]``: how a model version is signed at registration and verified before
it is served, validated strictly (unknown keys and wrong types are errors). Examples::

    [tool.gitml.signing]             # keyless, in GitHub Actions (Sigstore)
    method = "sigstore"
    repository = "acme/churn"        # the repository whose release workflow signs
    # ref = "refs/heads/main"        # optional: only what that branch's runs signed
    # identity = "https://github.com/acme/churn/.github/workflows/release.yml@refs/heads/main"

    [tool.gitml.signing]             # a key pair (private infrastructure, tests)
    method = "key"
    public_key = "signing/model.pub" # committed; the private key is GITML_SIGNING_KEY
    # required = false               # accept versions registered before signing was set up

With the table present, ``gitml promote`` signs and ``gitml build``, ``serve`` and
``smoke-test`` verify; ``required`` (default true) refuses a version that has no signature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gitml.config.values import check_keys
from gitml.errors import ConfigError

METHODS = ("sigstore", "key")
SIGNING_KEYS = {
    "method",
    "required",
    "public_key",
    "repository",
    "ref",
    "identity",
    "issuer",
    "trust_config",
}
#: The OIDC issuer of GitHub Actions' job tokens.
GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com"
WHERE = "[tool.gitml.signing]"
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class SigningSettings:
    """What ``[tool.gitml.signing]`` says; ``method`` None: signing is not set up."""

    method: str | None = None
    required: bool = True
    #: key: the public key's path, relative to the project (the file holding pyproject.toml)
    public_key: str | None = None
    #: sigstore: ``owner/name`` (or a full URL) of the repository whose workflow signed
    repository: str | None = None
    #: sigstore: the git ref the signing run ran on (``refs/heads/main``), optional
    ref: str | None = None
    #: sigstore: the exact certificate identity (SAN), optional
    identity: str | None = None
    issuer: str = GITHUB_ACTIONS_ISSUER
    #: a Sigstore client trust configuration (JSON) for a private Sigstore instance
    trust_config: str | None = None

    @property
    def enabled(self) -> bool:
        return self.method is not None


def _text(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{WHERE} {key} must be a non-empty string, got {value!r}")
    return value.strip()


def parse_signing_settings(raw: Any) -> SigningSettings:
    """Validate ``[tool.gitml.signing]``; an absent (empty) table means no signing."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{WHERE} must be a table")
    if not raw:
        return SigningSettings()
    check_keys(raw, SIGNING_KEYS, WHERE)
    method = raw.get("method")
    if method not in METHODS:
        raise ConfigError(f'{WHERE} method = {method!r}: use "sigstore" or "key"')
    required = raw.get("required", True)
    if not isinstance(required, bool):
        raise ConfigError(f"{WHERE} required must be true or false, got {required!r}")
    values = {key: _text(raw, key) for key in SIGNING_KEYS - {"method", "required"}}
    if method == "key" and values["public_key"] is None:
        raise ConfigError(
            f'{WHERE} method = "key" needs public_key = "path/to/key.pub" (the PEM public key, '
            "committed; the private key reaches `gitml promote` as GITML_SIGNING_KEY)"
        )
    if method == "sigstore":
        _check_sigstore(values)
    issuer = values.pop("issuer") or GITHUB_ACTIONS_ISSUER
    return SigningSettings(method=method, required=required, issuer=issuer, **values)


def _check_sigstore(values: dict[str, str | None]) -> None:
    """Keyless signatures are checked against who signed: a repository or an exact identity."""
    repository = values["repository"]
    if repository is None and values["identity"] is None:
        raise ConfigError(
            f'{WHERE} method = "sigstore" needs repository = "owner/name" (whose release '
            'workflow signs) or identity = "<the certificate identity>"'
        )
    if (
        repository is not None
        and not repository.startswith("https://")
        and not _REPOSITORY.fullmatch(repository)
    ):
        raise ConfigError(
            f"{WHERE} repository = {repository!r}: use owner/name, or https://HOST/owner/name "
            "on GitHub Enterprise"
        )
    if values["public_key"] is not None:
        raise ConfigError(f'{WHERE} public_key applies to method = "key" only; remove it')
