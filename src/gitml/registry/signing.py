"""Sign a model file and verify it, with the OpenSSF ``model_signing`` library.

Two methods (``[tool.gitml.signing] method``, :mod:`gitml.config.signing`):

* ``key``: an elliptic-curve key pair. The private key (PEM) reaches ``gitml promote`` as
  ``GITML_SIGNING_KEY`` (``GITML_SIGNING_KEY_PASSWORD`` when it is encrypted), a secret of the
  release job only; the public key is committed and named by ``public_key``.
* ``sigstore``: keyless. In GitHub Actions the job's OIDC token (``id-token: write``) gets a
  short-lived certificate from Sigstore's Fulcio and the signature is logged in Rekor. A
  reusable workflow's certificate names the *reusable* workflow as its identity, the same for
  every repository that calls it, so gitml checks what names the caller: the certificate's
  source repository (and, with ``ref``, its git ref), once ``model_signing`` has verified the
  certificate chain, the log entry and the issuer.

The signature is a Sigstore bundle (JSON); where it is kept is :mod:`gitml.registry.signatures`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gitml.config import SigningSettings
from gitml.errors import ConfigError, GatesFailed, GitmlError, describe_exception

SIGNING_KEY_ENV = "GITML_SIGNING_KEY"
SIGNING_KEY_PASSWORD_ENV = "GITML_SIGNING_KEY_PASSWORD"
#: An explicit OIDC token for keyless signing outside GitHub Actions (Sigstore's own variable).
IDENTITY_TOKEN_ENV = "SIGSTORE_ID_TOKEN"
#: What GitHub Actions sets in a job that has ``id-token: write``.
ACTIONS_TOKEN_ENV = ("ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")


class SignatureRefused(GatesFailed):
    """The model's signature is missing, or does not verify: the model is not used (exit 1)."""


def sign_model(
    model_file: Path, settings: SigningSettings, root: Path | str, env: Mapping[str, str]
) -> bytes:
    """The signature bundle (JSON bytes) of ``model_file``, signed as ``settings`` say."""
    import model_signing

    config = model_signing.signing.Config()
    with tempfile.TemporaryDirectory(prefix="gitml-sign-") as scratch:
        if settings.method == "key":
            key = Path(scratch) / "signing-key.pem"
            key.write_text(_private_key(env), encoding="utf-8")
            key.chmod(0o600)
            password = env.get(SIGNING_KEY_PASSWORD_ENV) or None
            signer = _attempt(
                "read the signing key GITML_SIGNING_KEY",
                lambda: config.use_elliptic_key_signer(private_key=key, password=password),
            )
        else:
            signer = config.use_sigstore_signer(**_sigstore_options(settings, root, env))
        out = Path(scratch) / "model.sig"
        _attempt("sign the model", lambda: signer.sign(model_file, out))
        return out.read_bytes()


def _private_key(env: Mapping[str, str]) -> str:
    value = env.get(SIGNING_KEY_ENV, "")
    if not value.strip():
        raise GitmlError(
            f'[tool.gitml.signing] method = "key" but {SIGNING_KEY_ENV} is empty: pass the PEM '
            "private key (the release workflow's model-signing-key secret), or register with "
            "signing off"
        )
    return value.strip() + "\n"


def _sigstore_options(settings: SigningSettings, root: Path | str, env: Mapping[str, str]) -> dict:
    """Ambient credentials only: an interactive OAuth flow must never start in a job."""
    options: dict = {"trust_config": _trust_config(settings, root)}
    if env.get(IDENTITY_TOKEN_ENV):
        return {**options, "identity_token": env[IDENTITY_TOKEN_ENV]}
    if not all(env.get(name) for name in ACTIONS_TOKEN_ENV):
        raise GitmlError(
            '[tool.gitml.signing] method = "sigstore" needs an OIDC token: run in a GitHub '
            f"Actions job with `permissions: id-token: write`, or set {IDENTITY_TOKEN_ENV}"
        )
    return {**options, "use_ambient_credentials": True}


def _trust_config(settings: SigningSettings, root: Path | str) -> Path | None:
    if settings.trust_config is None:
        return None
    path = Path(root) / settings.trust_config
    if not path.is_file():
        raise ConfigError(f"[tool.gitml.signing] trust_config {path} is not a file; fix the path")
    return path


def verify_model(
    model_file: Path, bundle: bytes, settings: SigningSettings, root: Path | str, what: str
) -> str:
    """Verify ``model_file`` against ``bundle``; returns who signed it (the key's file or the
    certificate's identity). Anything that does not verify is a ``SignatureRefused`` naming
    ``what`` (e.g. ``classifier v0.2.0``)."""
    import model_signing

    config = model_signing.verifying.Config()
    with tempfile.TemporaryDirectory(prefix="gitml-verify-") as scratch:
        signature = Path(scratch) / "model.sig"
        signature.write_bytes(bundle)
        if settings.method == "key":
            public_key = _public_key(settings, root)
            config.use_elliptic_key_verifier(public_key=public_key)
            signer = f"the key {settings.public_key}"
        else:
            signer = _sigstore_identity(bundle, settings, what)
            config.use_sigstore_verifier(
                identity=signer,
                oidc_issuer=settings.issuer,
                trust_config=_trust_config(settings, root),
            )
        try:
            config.verify(model_file, signature)
        except Exception as error:  # model_signing raises ValueError and sigstore's errors
            raise SignatureRefused(_refusal(what, error)) from None
    return signer


def _refusal(what: str, error: Exception) -> str:
    detail = describe_exception(error)
    if detail.startswith("Signature mismatch"):
        detail = "its bytes differ from the signed ones"
    elif len(detail) > 200:
        detail = detail[:200] + "..."
    return (
        f"refusing the model of {what}: its signature does not verify ({detail}); serve only "
        "the model that was registered (rebuild it from the DVC remote)"
    )


def _public_key(settings: SigningSettings, root: Path | str) -> Path:
    path = Path(root) / str(settings.public_key)
    if not path.is_file():
        raise ConfigError(
            f"[tool.gitml.signing] public_key {path} is not a file; commit the PEM public key "
            "there or fix the path"
        )
    return path


def _attempt(action: str, call):
    try:
        return call()
    except (OSError, ValueError, TypeError) as error:
        raise GitmlError(f"could not {action}: {describe_exception(error)}") from None


def _sigstore_identity(bundle: bytes, settings: SigningSettings, what: str) -> str:
    """The certificate identity to verify with, once the certificate says it was issued to a
    run of the configured repository (and ref). The checks read the certificate before
    ``model_signing`` verifies it; that verification then makes what they read trustworthy."""
    from sigstore.errors import VerificationError
    from sigstore.models import Bundle
    from sigstore.verify import policy

    try:
        certificate = Bundle.from_json(bundle).signing_certificate
        checks: list[Any] = []
        if settings.repository:
            checks.append(policy.OIDCSourceRepositoryURI(_repository_url(settings.repository)))
        if settings.ref:
            checks.append(policy.OIDCSourceRepositoryRef(settings.ref))
        for check in checks:
            check.verify(certificate)
        identity = settings.identity or _san(certificate)
    except (VerificationError, ValueError) as error:
        raise SignatureRefused(_refusal(what, error)) from None
    return identity


def _repository_url(repository: str) -> str:
    if repository.startswith("https://"):
        return repository.rstrip("/")
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    return f"{server}/{repository}"


def _san(certificate) -> str:
    """The certificate's identity: its Subject Alternative Name (a URI for a workflow)."""
    from cryptography import x509

    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    found = [*names.get_values_for_type(x509.UniformResourceIdentifier)]
    found += names.get_values_for_type(x509.RFC822Name)
    if not found:
        raise ValueError("the certificate names no identity")
    return str(found[0])
