"""The kustomization edit and image references, without git or kubectl."""

from __future__ import annotations

import pytest
import yaml

from gitml.deploy.kustomization import ImageRef, current_image, set_image
from gitml.errors import DataError, UsageError

DIGEST = "sha256:" + "ab" * 32
KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: redis
    newTag: "7"
  - name: classifier
    newName: old.example.com/classifier
    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
"""


def test_an_image_reference_is_pinned_by_digest_and_loses_its_tag() -> None:
    ref = ImageRef.parse(f"127.0.0.1:5000/acme/classifier:v0.2.0@{DIGEST}")
    assert (ref.name, ref.digest) == ("127.0.0.1:5000/acme/classifier", DIGEST)
    assert str(ImageRef.parse(f"ghcr.io/acme/classifier@{DIGEST}")) == (
        f"ghcr.io/acme/classifier@{DIGEST}"
    )
    for bad in ("ghcr.io/acme/classifier:v1", f"ghcr.io/a b@{DIGEST}", "x@sha256:123"):
        with pytest.raises(UsageError, match="NAME@sha256"):
            ImageRef.parse(bad)


def test_set_image_replaces_the_entry_in_place_and_keeps_the_rest() -> None:
    ref = ImageRef("ghcr.io/acme/classifier", DIGEST)
    text = set_image(KUSTOMIZATION, "k.yaml", "classifier", ref)
    data = yaml.safe_load(text)
    assert list(data) == ["apiVersion", "kind", "resources", "images"]
    assert data["images"] == [
        {"name": "redis", "newTag": "7"},
        {"name": "classifier", "newName": "ghcr.io/acme/classifier", "digest": DIGEST},
    ]
    assert current_image(text, "k.yaml", "classifier") == str(ref)
    # a kustomization with no images gets one; a name equal to the image needs no newName
    fresh = yaml.safe_load(set_image("resources: [d.yaml]\n", "k.yaml", "classifier",
                                     ImageRef("classifier", DIGEST)))  # fmt: skip
    assert fresh["images"] == [{"name": "classifier", "digest": DIGEST}]


def test_a_file_that_is_no_kustomization_is_refused() -> None:
    for text, message in (("- a\n- b\n", "not a YAML mapping"), ("images: {a: 1}\n", "a list"),
                          ("key: [unclosed\n", "not valid YAML")):  # fmt: skip
        with pytest.raises(DataError, match=message):
            set_image(text, "k.yaml", "classifier", ImageRef("x", DIGEST))
