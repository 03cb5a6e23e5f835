"""Model signatures with a generated key pair: signing at registration (the signature tag pushed
with the version tag), verification, and what is refused: a model changed by one byte, a
signature from another key, a version without a signature when one is required, a signature tag
that does not tag the version's commit or holds no bundle, and bad ``[tool.gitml.signing]``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitml.config import SigningSettings, parse_settings, parse_signing_settings
from gitml.errors import EXIT_GATES_FAILED, EXIT_USAGE, ConfigError, DataError, GitmlError
from gitml.registry.facts import registration_facts
from gitml.registry.model_signature import verify_version_model
from gitml.registry.promote import promote
from gitml.registry.signatures import read_signature, signature_tag
from gitml.registry.signing import SignatureRefused, sign_model, verify_model
from tests.cli import run_dvc, run_gitml
from tests.helpers import git
from tests.projects import clone, make_project, remote_tags
from tests.signing_keys import key_pair

KEY_SETTINGS = SigningSettings(method="key", public_key="model.pub")


@pytest.fixture
def signed(tmp_path: Path) -> tuple[Path, bytes]:
    private, _public = key_pair(tmp_path)
    model = tmp_path / "model.joblib"
    model.write_bytes(os.urandom(50_000))
    bundle = sign_model(model, KEY_SETTINGS, tmp_path, {"GITML_SIGNING_KEY": private})
    return model, bundle


def test_a_signed_model_verifies_with_the_public_key(tmp_path, signed):
    model, bundle = signed
    signer = verify_model(model, bundle, KEY_SETTINGS, tmp_path, "classifier v0.1.0")
    assert signer == "the key model.pub"


def test_a_model_changed_by_one_byte_is_refused(tmp_path, signed):
    model, bundle = signed
    data = bytearray(model.read_bytes())
    data[1234] ^= 0x01
    model.write_bytes(bytes(data))
    with pytest.raises(SignatureRefused) as refused:
        verify_model(model, bundle, KEY_SETTINGS, tmp_path, "classifier v0.1.0")
    assert str(refused.value) == (
        "refusing the model of classifier v0.1.0: its signature does not verify (its bytes "
        "differ from the signed ones); serve only the model that was registered (rebuild it "
        "from the DVC remote)"
    )
    assert refused.value.exit_code == EXIT_GATES_FAILED


def test_a_signature_from_another_key_is_refused(tmp_path, signed):
    model, bundle = signed
    other = tmp_path / "other"
    other.mkdir()
    key_pair(other, "model")
    with pytest.raises(SignatureRefused, match="Key mismatch"):
        verify_model(model, bundle, KEY_SETTINGS, other, "classifier v0.1.0")


def test_signing_without_the_key_says_which_variable(tmp_path):
    model = tmp_path / "model.joblib"
    model.write_bytes(b"x")
    with pytest.raises(GitmlError, match="GITML_SIGNING_KEY is empty"):
        sign_model(model, KEY_SETTINGS, tmp_path, {})
    with pytest.raises(GitmlError, match="could not read the signing key GITML_SIGNING_KEY"):
        sign_model(model, KEY_SETTINGS, tmp_path, {"GITML_SIGNING_KEY": "not a key"})


def test_keyless_signing_never_starts_an_interactive_login(tmp_path):
    model = tmp_path / "model.joblib"
    model.write_bytes(b"x")
    settings = SigningSettings(method="sigstore", repository="acme/churn")
    with pytest.raises(GitmlError, match="id-token: write"):
        sign_model(model, settings, tmp_path, {})


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"method": "gpg"}, 'method = \'gpg\': use "sigstore" or "key"'),
        ({"method": "key"}, 'method = "key" needs public_key'),
        ({"method": "sigstore"}, 'needs repository = "owner/name"'),
        ({"method": "sigstore", "repository": "no slash"}, "use owner/name"),
        ({"method": "key", "public_key": "k.pub", "required": "yes"}, "required must be true"),
        ({"method": "key", "public_key": "k.pub", "pubkey": "x"}, "pubkey"),
        ({"method": "key", "public_key": ""}, "public_key must be a non-empty string"),
    ],
)
def test_bad_signing_settings_are_config_errors(table, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_signing_settings(table)


def test_signing_settings_load_with_the_rest():
    settings = parse_settings(
        {"signing": {"method": "sigstore", "repository": "acme/churn", "ref": "refs/heads/main"}}
    )
    assert settings.signing.enabled and settings.signing.required
    assert settings.signing.issuer == "https://token.actions.githubusercontent.com"
    assert not parse_settings({}).signing.enabled


# -- registration: a project whose model is tracked by DVC --------------------------------------

SIGNING = '\n[tool.gitml.signing]\nmethod = "key"\npublic_key = "signing/model.pub"\n'


def signed_project(tmp_path: Path) -> tuple[Path, Path, str]:
    """A bare remote and a clone whose `classifier` is a DVC-tracked file, signing set up with a
    committed public key; returns (bare, clone, private key)."""
    seed = make_project(tmp_path / "seed")
    (seed / "models").mkdir()
    (seed / "models" / "model.joblib").write_bytes(os.urandom(20_000))
    run_dvc("add", "-q", "models/model.joblib", cwd=seed, expect=0)
    (seed / "signing").mkdir()
    private, _public = key_pair(seed / "signing")
    with (seed / "pyproject.toml").open("a") as pyproject:
        pyproject.write(SIGNING)
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "track the model; sign it")
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(seed, "remote", "add", "origin", str(bare))
    git(seed, "push", "-q", "origin", "main")
    return bare, seed, private


def test_promote_signs_and_pushes_the_signature_with_the_version(tmp_path, monkeypatch):
    bare, work, private = signed_project(tmp_path)
    monkeypatch.setenv("GITML_SIGNING_KEY", private)
    promotion = promote(work)
    tag = signature_tag("classifier", "v0.1.0")
    assert promotion.tags == ["classifier@v0.1.0", tag, "classifier#staging#1"]
    assert tag in remote_tags(bare)
    # a fresh clone (as actions/checkout with fetch-depth 0) reads and verifies it
    other = clone(bare, tmp_path / "fresh")
    commit = git(other, "rev-parse", "HEAD")
    bundle = read_signature(other, "classifier", "v0.1.0", commit)
    assert bundle is not None and bundle.startswith(b'{"mediaType":')
    settings = parse_settings({"signing": {"method": "key", "public_key": "signing/model.pub"}})
    model = work / "models" / "model.joblib"
    signer = verify_version_model(other, settings, "classifier", "v0.1.0", commit, model)
    assert signer == "the key signing/model.pub"
    # the registration tag recorded its baseline and gates for the model card
    facts = registration_facts(other, "classifier", "v0.1.0")
    assert facts.recorded and facts.baseline is None
    assert [(g.metric, g.passed) for g in facts.gates] == [("accuracy", True), ("accuracy", True)]


def test_promote_without_the_key_makes_no_tag(tmp_path, monkeypatch):
    bare, work, _private = signed_project(tmp_path)
    monkeypatch.delenv("GITML_SIGNING_KEY", raising=False)
    result = run_gitml("promote", cwd=work)
    assert result.returncode == 3, result
    assert result.stderr.strip().splitlines() == [
        'ERROR: [tool.gitml.signing] method = "key" but GITML_SIGNING_KEY is empty: pass the '
        "PEM private key (the release workflow's model-signing-key secret), or register with "
        "signing off"
    ]
    assert remote_tags(bare) == []


def test_an_unsigned_version_is_refused_when_a_signature_is_required(tmp_path):
    _bare, work, _private = signed_project(tmp_path)
    commit = git(work, "rev-parse", "HEAD")
    model = work / "models" / "model.joblib"
    required = parse_settings({"signing": {"method": "key", "public_key": "signing/model.pub"}})
    with pytest.raises(SignatureRefused, match="it has no signature and"):
        verify_version_model(work, required, "classifier", "v0.1.0", commit, model)
    optional = parse_settings(
        {"signing": {"method": "key", "public_key": "signing/model.pub", "required": False}}
    )
    assert verify_version_model(work, optional, "classifier", "v0.1.0", commit, model) is None


def test_a_signature_tag_on_another_commit_or_without_a_bundle_is_refused(tmp_path):
    _bare, work, _private = signed_project(tmp_path)
    first = git(work, "rev-parse", "HEAD~1")
    head = git(work, "rev-parse", "HEAD")
    tag = signature_tag("classifier", "v0.1.0")
    git(work, "tag", "-a", "-m", "sig\n\n{}", tag, first)
    with pytest.raises(DataError, match=f"does not tag {head[:12]}"):
        read_signature(work, "classifier", "v0.1.0", head)
    git(work, "tag", "-f", "-a", "-m", 'sig\n\n{"mediaType": "text/plain"}', tag, head)
    with pytest.raises(DataError, match="holds no valid signature \\(not a Sigstore bundle\\)"):
        read_signature(work, "classifier", "v0.1.0", head)


def test_a_bad_signing_table_fails_every_command_at_load(tmp_path):
    project = make_project(tmp_path / "p")
    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write('\n[tool.gitml.signing]\nmethod = "key"\n')
    result = run_gitml("models", cwd=project)
    assert result.returncode == EXIT_USAGE
    assert result.stderr.startswith('ERROR: [tool.gitml.signing] method = "key" needs public_key')
