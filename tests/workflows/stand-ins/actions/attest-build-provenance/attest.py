"""Write the in-toto statement (SLSA provenance v1) that actions/attest-build-provenance would sign
with the job's OIDC identity and upload to GitHub's attestations API, to
STANDIN_ARTIFACTS/attestations/<run id>/ (unsigned: act has no OIDC token)."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path


def main() -> int:
    name, digest = os.environ["SUBJECT_NAME"], os.environ["SUBJECT_DIGEST"]
    if not name or not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        print(
            f"::error::subject-name and subject-digest (sha256:<hex>) are required, got {name!r}, {digest!r}"
        )
        return 1
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": name, "digest": {"sha256": digest.split(":", 1)[1]}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                "externalParameters": {
                    "workflow": {
                        "ref": os.environ.get("GITHUB_REF", ""),
                        "repository": f"{server}/{repository}",
                        "path": os.environ.get("GITHUB_WORKFLOW_REF", ""),
                    }
                },
                "resolvedDependencies": [
                    {
                        "uri": f"git+{server}/{repository}@{os.environ.get('GITHUB_REF', '')}",
                        "digest": {"gitCommit": os.environ.get("GITHUB_SHA", "")},
                    }
                ],
            },
            "runDetails": {
                "builder": {"id": f"{server}/actions/runner/github-hosted"},
                "metadata": {
                    "invocationId": f"{server}/{repository}/actions/runs/{os.environ.get('GITHUB_RUN_ID', '')}"
                },
            },
        },
    }
    folder = (
        Path(os.environ["STANDIN_ARTIFACTS"])
        / "attestations"
        / os.environ.get("GITHUB_RUN_ID", "0")
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest.replace(':', '-')}.intoto.json"
    path.write_text(json.dumps(statement, indent=2) + "\n")
    with open(os.environ["GITHUB_OUTPUT"], "a") as out:
        out.write(f"bundle-path={path}\nattestation-id={abs(hash(digest)) % 10**8}\n")
    print(f"attested {name}@{digest} (stand-in: unsigned statement in {path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
