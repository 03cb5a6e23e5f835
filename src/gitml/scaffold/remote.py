"""What the workflows need to reach the project's DVC remote: secrets, pip extras, warnings."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse


@dataclass(frozen=True)
class Secret:
    """A repository secret the user sets, and the reusable workflow's input that receives it."""

    name: str
    workflow_input: str


@dataclass(frozen=True)
class RemoteNeeds:
    """Secrets, gitml extras and warnings for one DVC remote."""

    secrets: tuple[Secret, ...] = ()
    extras: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


# Secret names as in docs/workflows.md's callers; the inputs are those of gitml-pr.yml and
# gitml-release.yml, which hand them to `gitml run` as the variables DVC reads.
AWS = (
    Secret("DVC_AWS_ACCESS_KEY_ID", "aws-access-key-id"),
    Secret("DVC_AWS_SECRET_ACCESS_KEY", "aws-secret-access-key"),
)
AZURE = (Secret("DVC_AZURE_STORAGE_CONNECTION_STRING", "azure-storage-connection-string"),)


def remote_needs(name: str | None, url: str | None) -> RemoteNeeds:
    """What the PR workflow needs for the default remote ``name`` at ``url`` (None: no remote)."""
    if not url:
        return RemoteNeeds(
            warnings=(
                "no default DVC remote: the PR workflow's `gitml run --pull` needs one; add it "
                "with `dvc remote add -d storage s3://BUCKET/PATH` and rerun `gitml init --force`",
            )
        )
    scheme = urlparse(url).scheme
    if scheme == "s3":
        return RemoteNeeds(secrets=AWS, extras=("s3",))
    if scheme in ("azure", "az"):
        return RemoteNeeds(
            secrets=AZURE,
            warnings=(
                f"DVC remote '{name}' is on Azure: add `dvc-azure` to your requirements file and "
                "pass it to the workflow's `requirements:` input",
            ),
        )
    if scheme in ("gs", "gcs"):
        return RemoteNeeds(
            warnings=(
                f"DVC remote '{name}' is on Google Cloud Storage: gitml's workflows take no GCS "
                "credentials; authenticate with google-github-actions/auth in your own workflow "
                "and run gitml there with the composite action (docs/workflows.md)",
            )
        )
    if scheme in ("", "file") or (len(scheme) == 1 and url[1:2] == ":"):  # a path (C:\ too)
        return RemoteNeeds(
            warnings=(
                f"DVC remote '{name}' is a local folder ({url}): GitHub's runners cannot reach it "
                "unless it is committed to git; add a cloud remote "
                "(`dvc remote add -d storage s3://BUCKET/PATH`) and rerun `gitml init --force`",
            )
        )
    if scheme in ("http", "https"):
        return RemoteNeeds()  # a public HTTP(S) remote is read with no credentials
    return RemoteNeeds(
        warnings=(
            f"DVC remote '{name}' ({scheme}) needs credentials gitml's workflows do not pass; "
            "run gitml with the composite action in your own workflow (docs/workflows.md)",
        )
    )
