"""The build's pure parts: the bentofile gitml writes and the step outputs."""

from __future__ import annotations

import pytest

from gitml.core.github_output import write_outputs
from gitml.serving.build import bentofile, pinned, place_template
from gitml.serving.importer import ImportedModel

MODEL = ImportedModel(
    tag="classifier:v0.2.0",
    artifact="classifier",
    version="v0.2.0",
    commit="c" * 40,
    features=["a", "b"],
    classes=[0, 1],
)


def test_bentofile_is_offline_and_ships_the_model_tag():
    spec = bentofile("service:GitmlClassifier", ["service.py"], MODEL, ["numpy==2.0"], False, None)
    assert spec == {
        "service": "service:GitmlClassifier",
        "include": ["service.py"],
        "labels": {"version": "v0.2.0", "commit": "c" * 40, "source": "gitml"},
        "python": {"packages": ["numpy==2.0"], "lock_packages": False},
        "envs": [{"name": "GITML_MODEL_TAG", "value": "classifier:v0.2.0"}],
        # the image's own variables: no template, so the model's tag is among them
        "docker": {
            "env": {
                "BENTOML_DO_NOT_TRACK": "True",
                "GITML_FEEDBACK_AUTH": "required",
                "GITML_MODEL_TAG": "classifier:v0.2.0",
            }
        },
    }


def test_with_a_template_the_model_tag_is_runtime_only_and_set_by_the_template(tmp_path):
    template = place_template(tmp_path, "classifier:v0.2.0")
    assert template is not None
    spec = bentofile("s", [], MODEL, [], False, None, template.name)
    assert spec["envs"] == [
        {"name": "GITML_MODEL_TAG", "value": "classifier:v0.2.0", "stage": "runtime"}
    ]
    assert spec["docker"] == {
        "dockerfile_template": "gitml-model-tag.Dockerfile.j2",
        "env": {"BENTOML_DO_NOT_TRACK": "True", "GITML_FEEDBACK_AUTH": "required"},
    }
    text = template.read_text()
    assert text.startswith("{% extends bento_base_template %}")
    assert 'ENV GITML_MODEL_TAG="classifier:v0.2.0"\n{{ super() }}' in text


def test_no_template_where_bentoml_would_refuse_to_read_it(tmp_path):
    hidden = tmp_path / ".gitml" / "ctx"
    hidden.mkdir(parents=True)
    assert place_template(hidden, "classifier:v0.2.0") is None
    assert list(hidden.iterdir()) == []


def test_bentofile_docker_options():
    spec = bentofile("s", [], MODEL, [], True, "debian:12")
    assert spec["python"]["lock_packages"] is True
    assert spec["docker"]["base_image"] == "debian:12"


def test_pinned_uses_installed_versions():
    from importlib import metadata

    assert pinned(("scikit-learn",)) == [f"scikit-learn=={metadata.version('scikit-learn')}"]


def test_write_outputs(tmp_path, monkeypatch):
    assert write_outputs({"a": "1"}) is None
    target = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(target))
    write_outputs({"bento-tag": "classifier:v0.2.0", "image": None})
    assert target.read_text() == "bento-tag=classifier:v0.2.0\nimage=\n"
    # a multi-line value is a heredoc block with a random delimiter (GitHub's documented form),
    # no longer refused: the one writer in gitml.core.github_output does both
    write_outputs({"x": "a\nb"})
    name, delimiter = target.read_text().splitlines()[2].split("<<")
    assert name == "x" and target.read_text().endswith(f"x<<{delimiter}\na\nb\n{delimiter}\n")


def test_ready_timeout_comes_from_the_environment(monkeypatch):
    from gitml.errors import UsageError
    from gitml.serving.smoke import ready_timeout

    assert ready_timeout() == 180.0
    monkeypatch.setenv("GITML_READY_TIMEOUT", "300")
    assert ready_timeout() == 300.0
    for bad in ("soon", "0", "-5", "nan", "inf"):
        monkeypatch.setenv("GITML_READY_TIMEOUT", bad)
        with pytest.raises(UsageError, match=rf"GITML_READY_TIMEOUT='{bad}' is not a number"):
            ready_timeout()
