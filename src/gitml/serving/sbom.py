"""A CycloneDX SBOM of what an image installs, read from its OCI archive.

``gitml build --sbom FILE`` reads the archive ``--oci-archive`` saved (the very bytes the publish
job pushes), layer by layer as a container runtime stacks them (whiteouts delete): every Python
distribution (``*.dist-info/METADATA``; the Bento's environment is ``/app/.venv``) and, where the
base image has dpkg, every Debian package (``var/lib/dpkg/status``). Nothing in the image is run,
so the SBOM is the same whichever backend built it. The BOM is built and written with CycloneDX's
own Python library (``cyclonedx-python-lib``), spec 1.6, JSON.
"""

from __future__ import annotations

import email.parser
import json
import posixpath
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gitml.errors import DataError

#: The Bento's Python environment in BentoML's images.
BENTO_ENVIRONMENT = "app/.venv/"
_METADATA = re.compile(r"(.*/)?[^/]+\.(dist-info/METADATA|egg-info/PKG-INFO)")
DPKG_STATUS = "var/lib/dpkg/status"
#: A METADATA or dpkg status file bigger than this is not read (it is not one).
MAX_READ_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class PythonPackage:
    name: str
    version: str
    #: the site-packages folder it is installed in, inside the image
    location: str
    license: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class DebianPackage:
    name: str
    version: str
    architecture: str


@dataclass(frozen=True)
class ImageContents:
    python: tuple[PythonPackage, ...]
    debian: tuple[DebianPackage, ...]
    #: the image's manifest digest (``sha256:...``)
    digest: str


def _blob(archive: tarfile.TarFile, digest: str) -> IO[bytes]:
    algorithm, _, value = digest.partition(":")
    member = archive.extractfile(f"blobs/{algorithm}/{value}")
    if member is None:
        raise DataError(f"the OCI archive has no blob {digest}")
    return member


def _interesting(name: str) -> bool:
    return name == DPKG_STATUS or bool(_METADATA.fullmatch(name))


def _apply_whiteout(files: dict[str, bytes], name: str) -> None:
    folder, base = posixpath.split(name)
    prefix = f"{folder}/" if folder else ""
    if base == ".wh..wh..opq":  # an opaque folder: nothing below it from lower layers
        gone = [path for path in files if path.startswith(prefix)]
    else:
        target = prefix + base[len(".wh.") :]
        gone = [path for path in files if path == target or path.startswith(target + "/")]
    for path in gone:
        del files[path]


def _read_layer(layer: IO[bytes], files: dict[str, bytes]) -> None:
    with tarfile.open(fileobj=layer, mode="r|*") as stream:
        for member in stream:
            name = posixpath.normpath(member.name).lstrip("/").removeprefix("./")
            if posixpath.basename(name).startswith(".wh."):
                _apply_whiteout(files, name)
            elif _interesting(name):
                extracted = stream.extractfile(member) if member.isfile() else None
                if extracted is None or member.size > MAX_READ_BYTES:
                    files.pop(name, None)
                else:
                    files[name] = extracted.read()


def read_image(archive_path: Path) -> ImageContents:
    """The Python distributions and Debian packages the image in ``archive_path`` holds."""
    import hashlib

    try:
        with tarfile.open(archive_path) as archive:
            index = json.load(_blob_or_file(archive, "index.json"))
            raw_manifest = _blob(archive, index["manifests"][0]["digest"]).read()
            files: dict[str, bytes] = {}
            for layer in json.loads(raw_manifest)["layers"]:
                _read_layer(_blob(archive, layer["digest"]), files)
    except (OSError, tarfile.TarError, KeyError, IndexError, ValueError) as error:
        raise DataError(f"cannot read the image in {archive_path}: {error}") from None
    python = [p for path, text in sorted(files.items()) if (p := _python(path, text))]
    debian = _debian(files.get(DPKG_STATUS, b""))
    digest = "sha256:" + hashlib.sha256(raw_manifest).hexdigest()
    return ImageContents(tuple(python), tuple(debian), digest)


def _blob_or_file(archive: tarfile.TarFile, name: str) -> IO[bytes]:
    member = archive.extractfile(name)
    if member is None:
        raise DataError(f"the OCI archive has no {name}")
    return member


def _python(path: str, text: bytes) -> PythonPackage | None:
    if path == DPKG_STATUS:
        return None
    headers = email.parser.BytesHeaderParser().parsebytes(text)
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        return None
    license_text = headers.get("License-Expression") or headers.get("License")
    if license_text and (len(license_text) > 100 or "\n" in license_text.strip()):
        license_text = None  # a whole license text, not a name
    location = posixpath.dirname(posixpath.dirname(path))
    return PythonPackage(
        str(name), str(version), "/" + location, license_text, headers.get("Summary")
    )


def _debian(status: bytes) -> list[DebianPackage]:
    found = []
    for paragraph in status.decode("utf-8", "replace").split("\n\n"):
        fields = dict(
            line.split(": ", 1)
            for line in paragraph.splitlines()
            if ": " in line and line[0] != " "
        )
        if fields.get("Status", "").endswith(" installed") and "Package" in fields:
            found.append(
                DebianPackage(
                    fields["Package"], fields.get("Version", ""), fields.get("Architecture", "")
                )
            )
    return sorted(found, key=lambda p: p.name)


def bento_packages(contents: ImageContents) -> dict[str, str]:
    """Name -> version of the Python distributions in the Bento's environment."""
    return {
        p.name: p.version for p in contents.python if p.location.startswith("/" + BENTO_ENVIRONMENT)
    }


def render_sbom(contents: ImageContents, image: str, labels: dict[str, str]) -> str:
    """The CycloneDX 1.6 JSON document of ``contents``; ``image`` names the container."""
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    repository, _, tag = image.rpartition(":")
    bom = Bom()
    bom.metadata.component = Component(
        type=ComponentType.CONTAINER,
        name=repository or image,
        version=tag or None,
        bom_ref=f"image@{contents.digest}",
        purl=PackageURL(
            "oci", name=posixpath.basename(repository or image), version=contents.digest
        ),
        properties=[Property(name=f"gitml:label:{k}", value=v) for k, v in sorted(labels.items())],
    )
    for package in contents.python:
        bom.components.add(_python_component(package))
    for deb in contents.debian:
        purl = PackageURL(
            "deb", "debian", deb.name, deb.version, qualifiers={"arch": deb.architecture}
        )
        bom.components.add(
            Component(
                type=ComponentType.LIBRARY, name=deb.name, version=deb.version,
                bom_ref=f"deb:{deb.name}@{deb.version}", purl=purl,
            )
        )  # fmt: skip
    # the image holds every package: the graph's root depends on each
    bom.register_dependency(bom.metadata.component, list(bom.components))
    return JsonV1Dot6(bom).output_as_string(indent=2) + "\n"


def _python_component(package: PythonPackage):
    from cyclonedx.contrib.license.factories import LicenseFactory
    from cyclonedx.model import Property
    from cyclonedx.model.component import Component, ComponentType
    from packageurl import PackageURL

    licenses = []
    if package.license:
        try:
            licenses = [LicenseFactory().make_from_string(package.license)]
        except Exception:  # not an SPDX expression nor a plain name: leave it out
            licenses = []
    return Component(
        type=ComponentType.LIBRARY,
        name=package.name,
        version=package.version,
        bom_ref=f"pypi:{package.name}@{package.version}:{package.location}",
        purl=PackageURL("pypi", name=package.name.lower(), version=package.version),
        description=package.summary,
        licenses=licenses,
        properties=[Property(name="gitml:site-packages", value=package.location)],
    )


def write_sbom(archive: Path, image: str, labels: dict[str, str], path: Path) -> ImageContents:
    """Read the image in ``archive`` and write its SBOM to ``path``; returns what it found."""
    contents = read_image(archive)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_sbom(contents, image, labels), encoding="utf-8")
    return contents
