"""The project the demo starts from: the reference project in git and DVC, and its baseline."""

from __future__ import annotations

import shutil
from pathlib import Path

from gitml import dvc_adapter, templates
from gitml.core.project_files import IGNORED
from gitml.demo.context import Context, configure_git, describe_stages, fresh, git


def create_repository(ctx: Context) -> None:
    """The reference project in a new git repository with DVC, its data tracked and pushed."""
    folder = ctx.folder
    for path in (folder.origin, folder.workspace, folder.dvc_remote):
        fresh(path)
    git(folder.root, "init", "--quiet", "--bare", "--initial-branch", "main", str(folder.origin))
    root = folder.workspace
    git(folder.root, "init", "--quiet", "--initial-branch", "main", str(root))
    configure_git(root)
    git(root, "remote", "add", "origin", "../origin.git")

    for name in ("dvc.yaml", "params.yaml"):
        (root / name).write_text(templates.read("reference", name), encoding="utf-8")
    (root / "pyproject.toml").write_text(
        "# gitml's settings for this project: base branch, metric directions, gates, promotion\n"
        + templates.read("reference", "gitml.toml"),
        encoding="utf-8",
    )
    (root / ".gitignore").write_text(
        "# gitml's per-run outputs\n" + "".join(f"{line}\n" for line in IGNORED), encoding="utf-8"
    )
    write_dataset(root / "data")
    ctx.progress.note("wrote dvc.yaml, params.yaml, pyproject.toml and data/ (breast cancer)")

    dvc_adapter.init_dvc(root)
    dvc_adapter.add_default_remote(root, "local", "../dvc-remote")
    dvc_adapter.track(root, "data")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "Reference project: breast-cancer classifier")
    ctx.progress.note(f"git repository {root} (origin: {folder.origin})")


def write_dataset(data: Path) -> None:
    """scikit-learn's bundled breast-cancer CSV, byte for byte, and its feature names."""
    import sklearn
    from sklearn.datasets import load_breast_cancer

    data.mkdir(parents=True, exist_ok=True)
    source = Path(sklearn.__file__).parent / "datasets" / "data" / "breast_cancer.csv"
    shutil.copyfile(source, data / "breast_cancer.csv")
    names = [name.replace(" ", "_") for name in load_breast_cancer().feature_names]
    (data / "breast_cancer_features.txt").write_text("\n".join(names) + "\n", encoding="utf-8")


def baseline(ctx: Context) -> None:
    """Train on main, push data, model and run-cache to the DVC remote, register v0.1.0."""
    from gitml.registry.promote import promote
    from gitml.run import run_pipeline

    root = ctx.folder.workspace
    git(root, "checkout", "--quiet", "main")
    result = run_pipeline(root, push=True)
    ctx.progress.note(f"trained on main: {describe_stages(result)}")
    ctx.progress.note(f"pushed {result.pushed} file(s) to the DVC remote {ctx.folder.dvc_remote}")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "--allow-empty", "-m", "Train the baseline model")
    git(root, "push", "--quiet", "--force", "origin", "main")
    ctx.facts["baseline"] = git(root, "rev-parse", "HEAD")
    promotion = promote(root)
    ctx.facts["baseline_version"] = promotion.version
    ctx.progress.note(
        f"registered {promotion.artifact} {promotion.version} in {promotion.stage} "
        f"(tags: {', '.join(promotion.tags) or 'already there'})"
    )
