"""Metrics and plots DVC could not load: never a confident answer about them.

The project is shaped like a fastai/dvclive segmentation project gitml never saw: two stages whose
outputs are directories (``results/train/``, ``results/evaluate/``), each holding a dvclive-style
nested ``metrics.json`` with the same names (``dice_multi``, ``train.loss``, ``eval.loss``), a
loss curve and a folder of image plots. Metrics, plots and images are DVC outputs on a DVC remote
(a local folder, ``store``): a clone has them in neither its workspace nor its cache, as on every
CI runner before ``dvc pull``. Tags ``v1`` (pushed) and ``v2`` (never pushed) are two runs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli import run_dvc, run_gitml
from tests.helpers import git, isolate
from tests.report.test_unreachable_remote import closed_port

STAGE = """\
import json, os, struct, sys, zlib

seed = int(open("params.yaml").read().split(":")[1])
stage = sys.argv[1]
out = f"results/{stage}"


def png(rgb):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = zlib.compress((b"\\0" + bytes(rgb) * 4) * 4)
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


os.makedirs(f"{out}/plots/metrics/train", exist_ok=True)
os.makedirs(f"{out}/plots/images", exist_ok=True)
dice = {"train": 0.8695, "evaluate": 0.86}[stage] - (seed - 1) * 0.02
metrics = {"dice_multi": dice, "train": {"loss": 0.5}, "eval": {"loss": 0.6 + seed / 100}}
json.dump(metrics, open(f"{out}/metrics.json", "w"))
with open(f"{out}/plots/metrics/train/loss.tsv", "w") as f:
    f.write("step\\tloss\\n" + "".join(f"{i}\\t{1 / (i + seed)}\\n" for i in range(4)))
open(f"{out}/plots/images/pred.png", "wb").write(png((seed * 60 % 255, 10, 10)))
"""

DVC_YAML = """\
stages:
  train:
    cmd: python src/stage.py train
    deps: [src/stage.py]
    params: [seed]
    outs:
      - results/train
  evaluate:
    cmd: python src/stage.py evaluate
    deps: [src/stage.py, results/train]
    params: [seed]
    outs:
      - results/evaluate
metrics:
  - results/train/metrics.json
  - results/evaluate/metrics.json
plots:
  - results/train/plots/metrics:
      x: step
  - results/evaluate/plots/images
"""

FILES = ("results/train/metrics.json", "results/evaluate/metrics.json")


pytestmark = pytest.mark.slow(minutes=2)


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory):
    """The isolated host of tests/conftest.py for this module's shared projects (module-scoped
    fixtures are built before the per-test isolation runs)."""
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, tmp_path_factory.mktemp("module-home"))
        yield tmp_path_factory


@pytest.fixture(scope="module")
def origin(host) -> Path:
    """The project where it was made: v1 pushed to the remote `store`, v2 not pushed."""
    root = host.mktemp("origin") / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    run_dvc("init", "-q", cwd=root, expect=0)
    (root / "src").mkdir()
    (root / "src" / "stage.py").write_text(STAGE)
    (root / "dvc.yaml").write_text(DVC_YAML)
    (root / "params.yaml").write_text("seed: 1\n")
    store = root.parent / "store"
    run_dvc("remote", "add", "-d", "store", str(store), cwd=root, expect=0)
    run_dvc("repro", "-q", cwd=root, expect=0)
    run_dvc("push", "-q", cwd=root, expect=0)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "v1")
    git(root, "tag", "v1")
    (root / "params.yaml").write_text("seed: 2\n")
    run_dvc("repro", "-q", cwd=root, expect=0)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "v2")
    git(root, "tag", "v2")
    return root


def fresh_clone(origin: Path, dest: Path, remote_url: str | None = None) -> Path:
    """A clone with neither workspace outputs nor cache; ``remote_url`` replaces the remote's
    URL in the clone's local config (as a runner without the remote's network or credentials)."""
    git(dest.parent, "clone", "-q", str(origin), str(dest))
    if remote_url is not None:
        run_dvc("remote", "modify", "--local", "store", "url", remote_url, cwd=dest, expect=0)
    return dest


def report(root: Path, *args: str, check: bool = False):
    extra = ["--check"] if check else []
    result = run_gitml(
        "report", *args, "-o", "report.md", "--json", "report.json", *extra, cwd=root
    )
    data = json.loads((root / "report.json").read_text())
    return result, (root / "report.md").read_text(), data, root / "report.html"


@pytest.fixture(scope="module")
def unreachable(origin, host):
    """v1 against v2 where the remote cannot be reached: nothing loads at either revision."""
    clone = fresh_clone(
        origin,
        host.mktemp("unreachable") / "clone",
        f"http://127.0.0.1:{closed_port()}/store",
    )
    return report(clone, "--base", "v1", "--head", "v2", check=True)


@pytest.fixture(scope="module")
def never_pushed(origin, host):
    """v1 against v2 where the remote holds v1 only: the base loads, the head does not."""
    clone = fresh_clone(origin, host.mktemp("never-pushed") / "clone")
    return report(clone, "--base", "v1", "--head", "v2", check=True)


def test_metrics_a_remote_never_received_are_not_loaded_not_removed(never_pushed):
    result, markdown, data, _ = never_pushed
    statuses = {(m["file"], m["name"]): m["status"] for m in data["metrics"]}
    # the same names in two files stay two rows, each not loaded at v2
    assert statuses[("results/train/metrics.json", "dice_multi")] == "not loaded"
    assert statuses[("results/evaluate/metrics.json", "dice_multi")] == "not loaded"
    assert set(statuses.values()) == {"not loaded"}
    rows = {(m["file"], m["name"]): m for m in data["metrics"]}
    assert rows[("results/train/metrics.json", "dice_multi")]["base"] == 0.8695
    assert rows[("results/train/metrics.json", "dice_multi")]["not_loaded_at"] == ["v2"]
    assert "removed" not in markdown and "➖" not in markdown
    assert data["verdict"] == "incomplete"
    assert markdown.startswith("## ⚠️ gitml: 6 metrics not loaded, 0 improved, 0 regressed")
    # the revision, the file, DVC's reason and what to do, in gitml's words
    errors = [e for e in data["errors"] if e["source"] == "metrics"]
    assert {(e["rev"], e["file"]) for e in errors} == {("v2", file) for file in FILES}
    for error in errors:
        assert error["remote"] == "store"
        assert "remote 'store'" in error["hint"] and "does not have" in error["hint"]
        assert "dvc push" in error["hint"]
    # --check: no pass on data that did not load, one line saying why
    assert result.returncode == 1, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
    assert "did not load at v2" in line and "results/train/metrics.json" in line


def test_every_metrics_file_unloadable_is_never_no_metrics_found(unreachable):
    result, markdown, data, _ = unreachable
    assert "No metrics found" not in markdown
    assert data["verdict"] == "incomplete" and data["metrics"] == []
    assert markdown.startswith("## ⚠️ gitml: 2 metrics files not loaded, 0 improved")
    assert "No metrics loaded" in markdown
    errors = [e for e in data["errors"] if e["source"] == "metrics"]
    assert {(e["rev"], e["file"]) for e in errors} == {
        (rev, file) for rev in ("v1", "v2") for file in FILES
    }
    for error in errors:
        assert "remote 'store'" in error["hint"] and "cannot be reached" in error["hint"]
        # DVC's own words stay, and gitml says why
        assert error["message"] == "failed to load directory ('results', 'train')" or (
            error["message"] == "failed to load directory ('results', 'evaluate')"
        )
    assert result.returncode == 1


def test_plot_load_errors_name_the_plot_and_its_file_in_gitmls_words(unreachable):
    result, markdown, data, _ = unreachable
    plots = [e for e in data["errors"] if e["source"] == "plots"]
    assert {(e["rev"], e["file"]) for e in plots} == {
        (rev, file)
        for rev in ("v1", "v2")
        for file in ("results/train/plots/metrics", "results/evaluate/plots/images")
    }
    for error in plots:
        assert error["plot"] == error["file"]
        assert "cannot be reached" in error["hint"]
    assert "| plots | `v1` | results/evaluate/plots/images |" in markdown.replace("\\", "")
    # gitml's account only: not DVC's raw warning beside it
    assert "failed to load some plots" not in result.stderr


def test_a_workspace_not_pulled_shows_which_outputs_dvc_lock_changed(origin, tmp_path):
    clone = fresh_clone(origin, tmp_path / "clone")  # HEAD is v2; v1 is on the remote
    _, markdown, data, _ = report(clone, "--base", "v1")
    changes = {c["path"]: c for c in data["data"]}
    train = changes["results/train/"]
    assert (train["change"], train["in_workspace"]) == ("modified", False)
    assert train["head_files"] == 3 and train["head_size"] is not None
    assert "| modified (not pulled; hash in dvc.lock changed) | results/train/ |" in markdown


def test_a_pulled_workspace_reports_values_with_directions(origin, tmp_path):
    clone = fresh_clone(origin, tmp_path / "clone")
    run_dvc("pull", "-q", "results/train", "results/evaluate", cwd=clone)  # v2 is not there
    shutil.copytree(origin / "results", clone / "results", dirs_exist_ok=True)
    _, _markdown, data, _ = report(clone, "--base", "v1")
    rows = {(m["file"], m["name"]): m for m in data["metrics"]}
    dice = rows[("results/train/metrics.json", "dice_multi")]
    assert (dice["direction"], dice["status"]) == ("higher", "regressed")
    assert rows[("results/evaluate/metrics.json", "eval.loss")]["status"] == "regressed"
    assert data["verdict"] == "pass"


def test_reports_on_data_that_did_not_load_render_in_chromium_and_mermaid(
    browser, mmdc, tmp_path, never_pushed, unreachable
):
    from tests.browser import open_in_browser
    from tests.mermaid_cli import assert_mermaid_renders

    # the never-pushed report draws the base's loss curve; the other has no plot to draw
    assert assert_mermaid_renders(mmdc, tmp_path, {"never": never_pushed[1]}) == 1
    for *_, page_path in (never_pushed, unreachable):
        page = open_in_browser(browser, page_path)
        page.assert_clean()
        assert "Not loaded" in page.text and "remote 'store'" in page.text
        assert "No metrics found" not in page.text


def test_an_output_with_no_remote_to_fetch_it_from_says_so(project):
    command = "echo '{\"accuracy\": 0.9}' > metrics.json"
    project.write(
        {"dvc.yaml": {"stages": {"score": {"cmd": command, "metrics": ["metrics.json"]}}}}
    )
    run_dvc("repro", "-q", cwd=project.root, expect=0)
    project.commit("scored, no DVC remote")
    shutil.rmtree(project.root / ".dvc" / "cache")
    (project.root / "metrics.json").unlink()
    _, markdown, data, _ = report(project.root, "--base", "HEAD")
    errors = {e["rev"]: e for e in data["errors"] if e["source"] == "metrics"}
    assert set(errors) == {"HEAD", "workspace"}  # the same commit: in no cache at either
    assert errors["HEAD"]["hint"].startswith("`metrics.json` is not in this clone's DVC cache")
    assert errors["workspace"]["hint"].startswith(
        "`metrics.json` is not in the workspace (not pulled) nor in this clone's DVC cache"
    )
    for error in errors.values():
        assert error["remote"] is None and "no DVC remote is configured" in error["hint"]
    assert data["metrics"] == [] and data["verdict"] == "incomplete"
    assert "No metrics loaded: `metrics.json` did not load" in markdown
