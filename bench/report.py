"""Benchmark: `gitml report` against the DVC command chain CML users run today, same project, same revisions.

Not a test: a measurement to run by hand::

    .venv/bin/python bench/report.py                   # the three projects below, 5 runs each
    .venv/bin/python bench/report.py --runs 9 --shape tutorial
    .venv/bin/python bench/report.py --shape dvclive --rows 2000 --keep DIR  # keep it to profile
    .venv/bin/python bench/report.py --project DIR     # an existing DVC project whose HEAD~1 differs
    .venv/bin/python bench/report.py --against main   # main's gitml timed too; same md/json/html?

What is compared. A pull-request comment made with CML today is built from one DVC process per
section, each of which opens the repository, reads both revisions and renders its own piece:

    dvc metrics diff HEAD~1 --md
    dvc params diff HEAD~1 --md
    dvc plots diff HEAD~1 --targets <id> --show-vega      # once per plot: --show-vega takes one target

(`HEAD~1` is passed explicitly, as CML workflows pass `main`; with no revision these commands
compare HEAD with the workspace, which in a clean checkout is an empty diff.) The plot ids are
the keys of the top-level `plots:` list of `dvc.yaml`. The gitml side is one process::

    gitml report --base HEAD~1 -o report.md --json report.json

which does strictly more work: it writes the Markdown comment, the JSON data and an offline HTML
file with every plot rendered, lists the data changes (`dvc diff`, not in the chain) and
evaluates the quality gates. Both sides compare HEAD~1 with the workspace (a clean checkout of
HEAD).

The projects (`--shape`, default all), each set up in a temporary directory:

- reference: the repository root (the directory above `bench/`) is `git clone`d; there
  `gitml run --pull` reproduces the pipeline from the embedded local DVC remote (offline), then
  `train.params.max_depth` is changed in `params.yaml` (4 -> 3), the pipeline rerun and the
  result committed, so that HEAD~1 differs in params, metrics and plots.
- tutorial: generated in the shape of DVC's own tutorial project (example-get-started, as
  dvclive writes it): directory outputs (`data/prepared/`, `data/features/`), per-split metrics,
  and plots drawn from two files each, train and test: ROC and precision-recall curves of
  `--points` points per file (default 6,000) and a confusion matrix of one row per sample, plus
  an image plot. A small pipeline (`dvc repro`, stdlib and PyYAML) writes it; `train.seed` changes between
  the two commits, so every plot, metric and directory differs.

- dvclive: generated in the shape of a dvclive text classifier (issue 24): four stages with
  directory outputs (`data/prepared/`, `data/features/`, `model/`, `results/train/`,
  `results/evaluate/`), dvclive's `metrics.json` (nested by split, with `step`) and per-step
  curves (`plots/metrics/<split>/<name>.tsv`), a confusion matrix and a ROC curve of `--rows`
  rows (default 20,000), a folder of image plots; tags `v1` and `v2` apart. Its chain is the
  four commands a user runs instead of one report: `dvc metrics diff v1 v2`, `dvc params diff
  v1 v2`, `dvc diff v1 v2` and `dvc plots diff v1 v2 -o DIR`; gitml runs
  `gitml report --base v1 --head v2`. Target 0.5x.

Timing. Bytecode: the commands run with a private `PYTHONPYCACHEPREFIX`, so both sides import
compiled modules as on any machine after the first run (this machine's environment sets
`PYTHONDONTWRITEBYTECODE`, which made every run compile DVC and gitml from source). Each side is
run once to warm up (discarded: it fills that cache, the first `gitml report` builds the cached
JavaScript bundle for the HTML file, and both warm the OS file cache), then N times,
alternating; wall time with `time.perf_counter` around `subprocess.run` (output to
/dev/null) and CPU time (user + system of the child processes, less sensitive to a busy
machine). The chain's time is the sum of its commands, run sequentially as a CI job runs them.
It prints the load average, the median and minimum of each side and the ratios gitml/chain of
the medians (wall and CPU) against the project's target (0.15x reference, 0.3x tutorial).

Before and after. With `--against REV`, the gitml of git revision REV of this repository
(`git archive`, run with `PYTHONPATH`) is a third side, timed in the same alternating runs (the
before/after ratio under the same load), and its Markdown, JSON and HTML files are compared byte
for byte with this checkout's: a speed-up must not change what users get. It exits 0 either way (1 only when the outputs differ).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # not resolved: the venv's bin/, where gitml and dvc live
GITML = str(BIN / "gitml")
DVC = str(BIN / "dvc")
TARGETS = {"reference": 0.15, "tutorial": 0.3, "dvclive": 0.5, "project": 0.15}
OUTPUTS = ("report.md", "report.full.md", "report.json", "report.html")


def environment(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        DVC_NO_ANALYTICS="1",
        PYTHONPYCACHEPREFIX=str(tmp / "pycache"),
        GIT_AUTHOR_NAME="gitml bench",
        GIT_AUTHOR_EMAIL="bench@gitml.invalid",
        GIT_COMMITTER_NAME="gitml bench",
        GIT_COMMITTER_EMAIL="bench@gitml.invalid",
        # dvc.yaml stages call `gitml stage ...`
        PATH=os.pathsep.join([str(BIN), env.get("PATH", "")]),
    )
    return env


def step(*cmd: str, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def setup_reference(dest: Path, env: dict[str, str]) -> None:
    """Clone the repository into `dest`, reproduce it, then commit a max_depth change on top."""
    print(f"setting up {dest} ...", file=sys.stderr)
    step("git", "clone", "--quiet", str(ROOT), str(dest), cwd=ROOT, env=env)
    step(GITML, "run", "--pull", cwd=dest, env=env)
    params = dest / "params.yaml"
    text = params.read_text()
    if text.count("max_depth: 4") != 1:
        sys.exit("params.yaml: expected exactly one `max_depth: 4` to change")
    params.write_text(text.replace("max_depth: 4", "max_depth: 3"))
    step(GITML, "run", cwd=dest, env=env)
    step("git", "commit", "--quiet", "-am", "bench: max_depth 4 -> 3", cwd=dest, env=env)


# The tutorial-shaped pipeline: stdlib and PyYAML only, deterministic from params.yaml's seed.
TUTORIAL_STAGES = r"""
import json, random, struct, sys, zlib
from pathlib import Path

import yaml

params = yaml.safe_load(Path("params.yaml").read_text())
rng = random.Random(params["train"]["seed"] * 100 + len(sys.argv[1]))
stage = sys.argv[1]
points = params["prepare"]["points"]


def write(path, text):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text)


def png(width, height, rgb):
    row = b"\0" + bytes(rgb) * width
    raw = zlib.compress(row * height)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


if stage == "prepare":
    for split in ("train", "test"):
        rows = [f"{i},{rng.random():.6f},{rng.randint(0, 1)}" for i in range(points)]
        write(f"data/prepared/{split}.tsv", "id\tscore\tlabel\n" + "\n".join(rows) + "\n")
elif stage == "featurize":
    for split in ("train", "test"):
        for part in range(3):
            values = [f"{rng.gauss(0, 1):.5f}" for _ in range(points // 3)]
            write(f"data/features/{split}-{part}.csv", "\n".join(values) + "\n")
elif stage == "train":
    write("model.json", json.dumps({"weights": [rng.random() for _ in range(64)]}))
elif stage == "evaluate":
    metrics = {}
    for split in ("train", "test"):
        skill = 0.8 + rng.random() / 10
        curve = sorted(rng.random() for _ in range(points))
        roc = [{"fpr": x, "tpr": min(1.0, x ** (1 - skill)), "threshold": 1 - x} for x in curve]
        prc = [{"recall": x, "precision": max(0.0, 1 - x * (1 - skill)), "threshold": 1 - x}
               for x in curve]
        labels = [rng.randint(0, 1) for _ in range(points)]
        cm = [{"actual": y, "predicted": y if rng.random() < skill else 1 - y} for y in labels]
        write(f"eval/plots/sklearn/roc/{split}.json", json.dumps({"roc": roc}, indent=4))
        write(f"eval/plots/sklearn/prc/{split}.json", json.dumps({"prc": prc}, indent=4))
        write(f"eval/plots/sklearn/cm/{split}.json", json.dumps(cm, indent=4))
        metrics.setdefault("avg_prec", {})[split] = round(skill - 0.05, 6)
        metrics.setdefault("roc_auc", {})[split] = round(skill, 6)
    write("eval/metrics.json", json.dumps(metrics, indent=4))
    shade = params["train"]["seed"] * 40 % 256
    Path("eval/plots/images").mkdir(parents=True, exist_ok=True)
    Path("eval/plots/images/importance.png").write_bytes(png(64, 48, (shade, 120, 200)))
"""


def tutorial_dvc_yaml(python: str) -> dict:
    def stage(name: str, deps: list[str], outs: list) -> dict:
        return {"cmd": f"{python} src/stages.py {name}", "deps": ["src/stages.py", *deps],
                "params": ["prepare", "train"], "outs": outs}  # fmt: skip

    split = ("train", "test")
    plots = [
        {name: {"template": template, "x": x, "y": {f"eval/plots/sklearn/{kind}/{s}.json": y
                                                     for s in split}}}
        for name, template, kind, x, y in (
            ("ROC", "simple", "roc", "fpr", "tpr"),
            ("Confusion-Matrix", "confusion", "cm", "actual", "predicted"),
            ("Precision-Recall", "simple", "prc", "recall", "precision"),
        )
    ]  # fmt: skip
    return {
        "stages": {
            "prepare": stage("prepare", [], ["data/prepared"]),
            "featurize": stage("featurize", ["data/prepared"], ["data/features"]),
            "train": stage("train", ["data/features"], ["model.json"]),
            "evaluate": stage(
                "evaluate",
                ["model.json", "data/features"],
                [{"eval": {"cache": False}}],
            ),
        },
        "metrics": ["eval/metrics.json"],
        "plots": [*plots, "eval/plots/images/importance.png"],
    }


def new_pipeline(dest: Path, env: dict[str, str], stages: str, dvc_yaml: dict) -> None:
    """A new git and DVC repository at ``dest`` with ``src/stages.py`` and ``dvc.yaml``."""
    dest.mkdir(parents=True)
    step("git", "init", "--quiet", "-b", "main", cwd=dest, env=env)
    step(DVC, "init", "--quiet", cwd=dest, env=env)
    (dest / "src").mkdir()
    (dest / "src" / "stages.py").write_text(stages)
    (dest / "dvc.yaml").write_text(yaml.safe_dump(dvc_yaml, sort_keys=False))


def setup_tutorial(dest: Path, env: dict[str, str], points: int) -> None:
    """A DVC tutorial-shaped project: two commits that differ in the seed."""
    print(f"setting up {dest} ({points} points per plot file) ...", file=sys.stderr)
    new_pipeline(dest, env, TUTORIAL_STAGES, tutorial_dvc_yaml(sys.executable))
    for seed in (1, 2):
        params = {"prepare": {"points": points}, "train": {"seed": seed, "n_est": 50}}
        (dest / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
        step(DVC, "repro", "--quiet", cwd=dest, env=env)
        step("git", "add", "-A", cwd=dest, env=env)
        step("git", "commit", "--quiet", "-m", f"bench: seed {seed}", cwd=dest, env=env)


# The dvclive-shaped pipeline (a text classifier as dvclive logs it): stdlib and PyYAML only.
DVCLIVE_STAGES = r"""
import json, random, struct, sys, zlib
from pathlib import Path

import yaml

params = yaml.safe_load(Path("params.yaml").read_text())
stage = sys.argv[1]
rng = random.Random(params["train"]["seed"] * 1000 + len(stage))
rows, steps = params["prepare"]["rows"], params["train"]["epochs"]


def write(path, text):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text)


def png(width, height, rgb):
    raw = zlib.compress((b"\0" + bytes(rgb) * width) * height)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def live(folder, metrics, curves, images):
    # what dvclive writes: metrics.json (nested, with "step"), plots/metrics/<split>/<name>.tsv
    write(f"{folder}/metrics.json", json.dumps({**metrics, "step": steps - 1}, indent=4))
    for (split, name), values in curves.items():
        lines = "".join(f"{i}\t{v:.6f}\n" for i, v in enumerate(values))
        write(f"{folder}/plots/metrics/{split}/{name}.tsv", f"step\t{name}\n" + lines)
    for name, rgb in images.items():
        Path(f"{folder}/plots/images").mkdir(parents=True, exist_ok=True)
        Path(f"{folder}/plots/images/{name}.png").write_bytes(png(96, 64, rgb))


if stage == "prepare":
    for split in ("train", "test"):
        for shard in range(4):
            text = "".join(f"{i}\ttext {rng.random():.8f}\t{rng.randint(0, 1)}\n" for i in range(rows))
            write(f"data/prepared/{split}/part-{shard}.tsv", text)
elif stage == "featurize":
    for split in ("train", "test"):
        for shard in range(4):
            values = "".join(f"{rng.gauss(0, 1):.6f}\n" for _ in range(rows))
            write(f"data/features/{split}/part-{shard}.csv", values)
elif stage == "train":
    Path("model").mkdir(exist_ok=True)
    Path("model/weights.bin").write_bytes(bytes(rng.randrange(256) for _ in range(64 * 1024)))
    write("model/config.json", json.dumps({"seed": params["train"]["seed"]}))
    skill = 0.8 + rng.random() / 10
    curves = {
        (split, name): [
            (1 - skill) + 1 / (i + 2) + rng.random() / 50 if name == "loss" else skill - 1 / (i + 5)
            for i in range(steps)
        ]
        for split in ("train", "eval")
        for name in ("loss", "acc")
    }
    metrics = {split: {name: round(values[-1], 6) for (s, name), values in curves.items() if s == split}
               for split in ("train", "eval")}
    live("results/train", metrics, curves, {})
else:  # evaluate
    skill = 0.8 + rng.random() / 10
    labels = [rng.randint(0, 1) for _ in range(rows)]
    cm = [{"actual": y, "predicted": y if rng.random() < skill else 1 - y} for y in labels]
    write("results/evaluate/plots/sklearn/confusion_matrix.json", json.dumps(cm, indent=4))
    curve = sorted(rng.random() for _ in range(rows))
    roc = [{"fpr": x, "tpr": min(1.0, x ** (1 - skill)), "threshold": 1 - x} for x in curve]
    write("results/evaluate/plots/sklearn/roc.json", json.dumps(roc, indent=4))
    shade = params["train"]["seed"] * 40 % 256
    images = {f"misclassified-{i}": (shade, 40 * i, 200) for i in range(3)}
    metrics = {"test": {"accuracy": round(skill, 6), "roc_auc": round(skill + 0.05, 6),
                        "loss": round(1 - skill, 6)}}
    live("results/evaluate", metrics, {}, images)
"""


def dvclive_dvc_yaml(python: str) -> dict:
    def stage(name: str, deps: list[str], outs: list) -> dict:
        return {"cmd": f"{python} src/stages.py {name}", "deps": ["src/stages.py", *deps],
                "params": ["prepare", "train"], "outs": outs}  # fmt: skip

    return {
        "stages": {
            "prepare": stage("prepare", [], ["data/prepared"]),
            "featurize": stage("featurize", ["data/prepared"], ["data/features"]),
            "train": stage("train", ["data/features"], ["model", "results/train"]),
            "evaluate": stage("evaluate", ["model", "data/features"], ["results/evaluate"]),
        },
        "metrics": ["results/train/metrics.json", "results/evaluate/metrics.json"],
        "plots": [
            {"results/train/plots/metrics": {"x": "step"}},
            {"results/evaluate/plots/sklearn/confusion_matrix.json": {
                "template": "confusion", "x": "actual", "y": "predicted"}},
            {"results/evaluate/plots/sklearn/roc.json": {"x": "fpr", "y": "tpr"}},
            "results/evaluate/plots/images",
        ],
    }  # fmt: skip


def setup_dvclive(dest: Path, env: dict[str, str], rows: int) -> None:
    """A dvclive-shaped project: directory outputs, two tags (v1, v2) apart in the seed and
    the epochs."""
    print(f"setting up {dest} ({rows} rows per shard and plot) ...", file=sys.stderr)
    new_pipeline(dest, env, DVCLIVE_STAGES, dvclive_dvc_yaml(sys.executable))
    for tag, seed, epochs in (("v1", 1, 40), ("v2", 2, 50)):
        params = {"prepare": {"rows": rows}, "train": {"seed": seed, "epochs": epochs}}
        (dest / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
        step(DVC, "repro", "--quiet", cwd=dest, env=env)
        step("git", "add", "-A", cwd=dest, env=env)
        step("git", "commit", "--quiet", "-m", f"bench: {tag}", cwd=dest, env=env)
        step("git", "tag", tag, cwd=dest, env=env)


def plot_ids(project: Path) -> list[str]:
    spec = yaml.safe_load((project / "dvc.yaml").read_text())
    ids = []
    for entry in spec.get("plots") or []:
        ids.extend(entry if isinstance(entry, dict) else [entry])
    if not ids:
        sys.exit(f"{project}/dvc.yaml: no top-level plots")
    return ids


def timed(commands: list[list[str]], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the children) of running ``commands`` in turn."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for cmd in commands:
        subprocess.run(
            cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def gitml_report(out: Path, revs: list[str]) -> list[str]:
    return [GITML, "report", *revs, "-o", str(out / "report.md"),
            "--json", str(out / "report.json")]  # fmt: skip


def chain_for(name: str, project: Path, out: Path) -> tuple[list[list[str]], list[str], str]:
    """The DVC commands a user runs instead of ``gitml report``, gitml's revision options, and
    the chain's label. The dvclive project compares its two tags with the four commands a user
    runs (one ``dvc plots diff`` for every plot, written as DVC's HTML page); the others compare
    HEAD~1 with the workspace as CML workflows do (one ``--show-vega`` per plot)."""
    if name == "dvclive":
        revs = ["v1", "v2"]
        chain = [
            [DVC, "metrics", "diff", *revs, "--md"],
            [DVC, "params", "diff", *revs, "--md"],
            [DVC, "diff", *revs, "--md"],
            [DVC, "plots", "diff", *revs, "-o", str(out / "dvc_plots")],
        ]
        return chain, ["--base", "v1", "--head", "v2"], "dvc metrics/params diff, diff, plots diff"
    plots = plot_ids(project)
    chain = [
        [DVC, "metrics", "diff", "HEAD~1", "--md"],
        [DVC, "params", "diff", "HEAD~1", "--md"],
        *([DVC, "plots", "diff", "HEAD~1", "--targets", plot, "--show-vega"] for plot in plots),
    ]
    return chain, ["--base", "HEAD~1"], f"dvc metrics+params diff, plots diff x{len(plots)}"


def load() -> str:
    return "load average " + ", ".join(f"{value:.1f}" for value in os.getloadavg())


def other_gitml(rev: str, tmp: Path) -> Path:
    """The ``src`` folder of this repository at git revision ``rev`` (for ``PYTHONPATH``)."""
    source = tmp / f"gitml-{rev.replace('/', '_')}"
    if not source.exists():
        source.mkdir()
        archive = subprocess.run(
            ["git", "archive", rev, "src"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    return source / "src"


def measure(name: str, project: Path, args: argparse.Namespace, env: dict, tmp: Path) -> bool:
    """Time the sides alternating; with ``args.against``, that revision's gitml too (and
    compare its files). Returns whether the outputs are identical (True without a revision)."""
    out = tmp / f"out-{name}"
    out.mkdir()
    chain, revs, label = chain_for(name, project, out)
    sides = {"gitml": ([gitml_report(out, revs)], env), "chain": (chain, env)}
    theirs = tmp / f"out-{name}-against"
    if args.against:
        theirs.mkdir()
        other = {**env, "PYTHONPATH": str(other_gitml(args.against, tmp))}
        sides[f"gitml@{args.against}"] = ([gitml_report(theirs, revs)], other)
    print(f"{name}: {project}; {load()}", file=sys.stderr)
    print(f"chain: {len(chain)} dvc commands ({label}); warming up ...", file=sys.stderr)
    for commands, side_env in sides.values():
        timed(commands, project, side_env)

    times: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
    for i in range(args.runs):
        for side, (commands, side_env) in sides.items():
            times[side].append(timed(commands, project, side_env))
        last = {side: values[-1] for side, values in times.items()}
        done = "  ".join(f"{side} {w:.2f}s (cpu {c:.2f}s)" for side, (w, c) in last.items())
        print(f"run {i + 1}/{args.runs}: {done}  {load()}", file=sys.stderr)
    summarize(name, project, args.runs, times, label, " ".join(revs), out)
    return same_outputs(out, theirs, args.against) if args.against else True


def summarize(
    name: str, project: Path, runs: int, times: dict, chain: str, revs: str, out: Path
) -> None:
    wall = {side: statistics.median(w for w, _ in values) for side, values in times.items()}
    cpu = {side: statistics.median(c for _, c in values) for side, values in times.items()}
    html = out / "report.html"
    size = f", HTML {html.stat().st_size / 1e6:.1f} MB" if html.exists() else ""
    target = TARGETS[name]
    print(f"\n{name} project ({project.name}{size}): {runs} runs each, alternating; {load()}")
    print(f"{'':46} {'wall':>8} {'min':>8} {'cpu':>8} {'/chain wall':>12} {'cpu':>6}")
    labels = {
        "chain": chain,
        "gitml": f"gitml report {revs} (md+json+html)",
        **{side: f"the same, {side}" for side in times if side.startswith("gitml@")},
    }
    for side, label in labels.items():
        fastest = min(w for w, _ in times[side])
        ratios = f"{wall[side] / wall['chain']:11.3f}x {cpu[side] / cpu['chain']:5.3f}x"
        print(f"{label:46} {wall[side]:7.2f}s {fastest:7.2f}s {cpu[side]:7.2f}s {ratios}")
    ratio = wall["gitml"] / wall["chain"]
    print(
        f"target gitml/chain <= {target}x (wall medians): {'met' if ratio <= target else 'not met'}"
    )


def same_outputs(out: Path, theirs: Path, rev: str) -> bool:
    """Whether the gitml of revision ``rev`` wrote the same report files as this checkout's."""
    differ = [
        name
        for name in OUTPUTS
        if (out / name).exists() != (theirs / name).exists()
        or ((out / name).exists() and (out / name).read_bytes() != (theirs / name).read_bytes())
    ]
    written = [name for name in OUTPUTS if (out / name).exists()]
    verdict = "identical" if not differ else "DIFFERENT: " + ", ".join(differ)
    print(f"outputs against gitml at {rev} ({', '.join(written)}): {verdict}")
    return not differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side (default 5)")
    parser.add_argument(
        "--shape", choices=("reference", "tutorial", "dvclive", "all"), default="all",
        help="which generated project(s) to measure (default all)",
    )  # fmt: skip
    parser.add_argument(
        "--points", type=int, default=6000, help="points per plot file, tutorial project"
    )
    parser.add_argument(
        "--rows", type=int, default=20000, help="rows per shard and plot, dvclive project"
    )
    parser.add_argument(
        "--keep", type=Path, help="also copy the generated projects here (to profile them)"
    )
    parser.add_argument(
        "--project",
        type=Path,
        help="existing DVC project to measure in place (HEAD~1 must exist) instead",
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        help="also time the gitml of this git revision (before a change) in the same runs, and "
        "compare its md/json/html files with this checkout's",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    for exe in (GITML, DVC):
        if not Path(exe).exists():
            sys.exit(f"{exe} not found: run with the project's .venv/bin/python")

    identical = True
    with tempfile.TemporaryDirectory(prefix="gitml-bench-") as tmp:
        tmp_path = Path(tmp)
        env = environment(tmp_path)
        projects: dict[str, Path] = {}
        if args.project:
            projects["project"] = args.project.resolve()
        if not args.project and args.shape in ("reference", "all"):
            projects["reference"] = tmp_path / "reference"
            setup_reference(projects["reference"], env)
        if not args.project and args.shape in ("tutorial", "all"):
            projects["tutorial"] = tmp_path / "tutorial"
            setup_tutorial(projects["tutorial"], env, args.points)
        if not args.project and args.shape in ("dvclive", "all"):
            projects["dvclive"] = tmp_path / "dvclive"
            setup_dvclive(projects["dvclive"], env, args.rows)
        if args.keep:
            import shutil

            for name, project in projects.items():
                shutil.copytree(project, args.keep / name, symlinks=True)
        for name, project in projects.items():
            identical &= measure(name, project, args, env, tmp_path)
    sys.exit(0 if identical else 1)


if __name__ == "__main__":
    main()
