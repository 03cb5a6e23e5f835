"""The SBOM is read from an OCI archive's layers as a runtime stacks them: a package a later
layer deletes (whiteout, opaque folder) is not in it, a reinstalled one has its new version,
Debian packages come from dpkg's status, and the document is valid CycloneDX 1.6. (The SBOM of
a real image, against what that image's Python reports installed: test_act_release.py.)"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from gitml.errors import DataError
from gitml.serving.sbom import bento_packages, read_image, render_sbom

SITE = "app/.venv/lib/python3.11/site-packages"


def metadata(name: str, version: str, license: str = "MIT") -> bytes:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nLicense: {license}\n".encode()


def layer(files: dict[str, bytes | None]) -> bytes:
    """A gzip tar layer; None makes an empty file (a whiteout marker)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data or b"")
            tar.addfile(info, io.BytesIO(data or b""))
    return gzip.compress(raw.getvalue())


def oci_archive(path: Path, layers: list[bytes]) -> str:
    blobs: dict[str, bytes] = {}

    def blob(data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return digest

    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"digest": blob(b"{}"), "size": 2},
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob(d)}
                for d in layers
            ],
        }
    ).encode()
    manifest_digest = blob(manifest)
    index = json.dumps({"schemaVersion": 2, "manifests": [{"digest": manifest_digest}]}).encode()
    with tarfile.open(path, "w") as tar:
        for name, data in [
            ("index.json", index),
            *((f"blobs/sha256/{d.split(':')[1]}", b) for d, b in blobs.items()),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return manifest_digest


STATUS = b"""Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9

Package: removed-one
Status: deinstall ok config-files
Version: 1.0

Package: zlib1g
Status: install ok installed
Architecture: amd64
Version: 1:1.2.13
Description: compression
 continued line: not a field
"""


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "image.oci.tar"
    digest = oci_archive(
        path,
        [
            layer({"var/lib/dpkg/status": STATUS, "usr/lib/python3/dist-packages/apt-2.6.dist-info/METADATA": metadata("apt", "2.6")}),
            layer({
                f"{SITE}/numpy-2.1.0.dist-info/METADATA": metadata("numpy", "2.1.0", "BSD-3-Clause"),
                f"{SITE}/old-1.0.dist-info/METADATA": metadata("old", "1.0"),
                f"{SITE}/scikit_learn-1.5.0.dist-info/METADATA": metadata("scikit-learn", "1.5.0"),
                "opt/tool/gone-1.0.dist-info/METADATA": metadata("gone", "1.0"),
            }),
            layer({
                f"{SITE}/.wh.old-1.0.dist-info": None,  # uninstalled
                "opt/tool/.wh..wh..opq": None,  # folder replaced
                f"{SITE}/.wh.numpy-2.1.0.dist-info": None,
                f"{SITE}/numpy-2.2.0.dist-info/METADATA": metadata("numpy", "2.2.0", "BSD-3-Clause"),
            }),
        ],
    )  # fmt: skip
    return path, digest


def test_layers_stack_as_a_runtime_stacks_them(archive):
    path, digest = archive
    contents = read_image(path)
    assert contents.digest == digest
    assert bento_packages(contents) == {"numpy": "2.2.0", "scikit-learn": "1.5.0"}
    assert [(p.name, p.location) for p in contents.python] == [
        ("numpy", f"/{SITE}"),
        ("scikit-learn", f"/{SITE}"),
        ("apt", "/usr/lib/python3/dist-packages"),
    ]
    assert [(d.name, d.version) for d in contents.debian] == [
        ("libc6", "2.36-9"),
        ("zlib1g", "1:1.2.13"),
    ]


def test_the_sbom_is_valid_cyclonedx_with_purls(archive):
    path, digest = archive
    document = render_sbom(
        read_image(path), "registry.example/acme/classifier:v0.2.0", {"version": "v0.2.0"}
    )
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(document) is None
    sbom = json.loads(document)
    assert sbom["bomFormat"] == "CycloneDX" and sbom["specVersion"] == "1.6"
    image = sbom["metadata"]["component"]
    assert (image["type"], image["name"], image["version"]) == (
        "container",
        "registry.example/acme/classifier",
        "v0.2.0",
    )
    assert image["purl"] == f"pkg:oci/classifier@{digest}"
    purls = sorted(c["purl"] for c in sbom["components"])
    assert purls == [
        "pkg:deb/debian/libc6@2.36-9?arch=amd64",
        "pkg:deb/debian/zlib1g@1:1.2.13?arch=amd64",
        "pkg:pypi/apt@2.6",
        "pkg:pypi/numpy@2.2.0",
        "pkg:pypi/scikit-learn@1.5.0",
    ]


def test_an_archive_that_is_not_an_image_is_a_data_error(tmp_path):
    path = tmp_path / "x.tar"
    path.write_bytes(b"not a tar")
    with pytest.raises(DataError, match="cannot read the image in"):
        read_image(path)
