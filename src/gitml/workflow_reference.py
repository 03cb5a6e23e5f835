"""The workflow and action reference (``docs/workflow-reference.md``), generated from the YAML.

``render(root)`` reads gitml's reusable workflows (``.github/workflows/gitml-*.yml``) and its
composite action (``action/action.yml``) and returns Markdown: for each workflow its inputs,
secrets, outputs, jobs with their permissions, where secrets and tokens reach a step, and the
actions it uses with their pinned SHAs; for the action its inputs (and the environment variable
each becomes) and outputs. Nothing is written by hand, so the page cannot drift from the files.

Regenerate the page, and check it is current, from the repository's root::

    python -m gitml.workflow_reference > docs/workflow-reference.md
    python -m gitml.workflow_reference --check
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

from gitml.core.markdown import markdown_cell
from gitml.generated_doc import GeneratedDoc

#: The one command that rewrites the page; failure messages print it.
REGENERATE = "python -m gitml.workflow_reference > docs/workflow-reference.md"
DEFAULT_PATH = Path("docs") / "workflow-reference.md"

#: The files documented, relative to the repository's root, in the page's order.
WORKFLOWS = (
    ".github/workflows/gitml-pr.yml",
    ".github/workflows/gitml-comment.yml",
    ".github/workflows/gitml-release.yml",
    ".github/workflows/gitml-monitor.yml",
    ".github/workflows/gitml-sweep.yml",
)
ACTION = "action/action.yml"

HEADER = (
    "# Workflow and action reference\n"
    "\n"
    "<!-- Generated from the YAML files: do not edit by hand. Regenerate with\n"
    f"     {REGENERATE} -->\n"
    "\n"
    "Every input, secret, output and permission of gitml's reusable workflows and composite\n"
    "action, read from the files themselves. How to call them, and why they are built this way:\n"
    "[workflows.md](workflows.md) and [security.md](security.md).\n"
)

USES_RE = re.compile(r"^\s*(?:-\s+)?uses:\s*([^\s@#]+)@([^\s#]+)\s*(?:#\s*(.*))?$", re.MULTILINE)
#: A value that hands a step a secret or a token.
SENSITIVE_RE = re.compile(r"secrets\.|github\.token|inputs\.github-token")


def _code(value: Any) -> str:
    """A value as a code span fit for a table cell; an empty string shows as ``""``."""
    if isinstance(value, bool):
        value = "true" if value else "false"  # as written in YAML
    text = " ".join(str(value).split())
    if not text:
        return '`""`'
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]]) -> str:
    """A table in the docs' spelling (``| --- |``, as the CLI reference's)."""
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def load(path: Path) -> dict[str, Any]:
    """A workflow or action file as a dict, with ``on`` under its name (YAML 1.1 reads ``True``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if True in data:
        data["on"] = data.pop(True)
    return data


def leading_comment(text: str) -> str:
    """The comment block at the top of a file, without the ``#`` markers."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return "\n".join(lines).strip()


def _comment_markdown(comment: str) -> str:
    """The top comment as Markdown: prose lines re-flowed, indented lines kept as code, in order."""
    out = []
    for paragraph in comment.split("\n\n"):
        runs: list[tuple[bool, list[str]]] = []
        for index, line in enumerate(paragraph.splitlines()):
            is_code = index > 0 and line.startswith("  ")
            if runs and runs[-1][0] == is_code:
                runs[-1][1].append(line.strip() if is_code else line)
            else:
                runs.append((is_code, [line.strip() if is_code else line]))
        for is_code, lines in runs:
            out.append("```text\n" + "\n".join(lines) + "\n```" if is_code else " ".join(lines))
    return "\n\n".join(out)


def pinned_actions(text: str) -> list[tuple[str, str, str]]:
    """Every ``uses: owner/name@ref # comment`` in a file: (action, ref, comment), deduplicated."""
    found: dict[tuple[str, str, str], None] = {}
    for match in USES_RE.finditer(text):
        action, ref, note = match.group(1), match.group(2), (match.group(3) or "").strip()
        if not action.startswith("./"):
            found[(action, ref, note)] = None
    return list(found)


def _permissions(value: Any) -> str:
    if value is None:
        return "(the caller's)"
    if value == {}:
        return "none (`{}`)"
    if isinstance(value, str):
        return _code(value)
    return ", ".join(f"`{scope}: {level}`" for scope, level in value.items())


def _step_name(step: dict[str, Any]) -> str:
    if "name" in step:
        return markdown_cell(step["name"])
    if "uses" in step:
        return _code(step["uses"].split("@")[0])
    return markdown_cell(step.get("id", "(unnamed)"))


def _sensitive_steps(jobs: dict[str, Any]) -> list[list[str]]:
    rows = []
    for job_id, job in jobs.items():
        for step in job.get("steps", []):
            env = {k: v for k, v in (step.get("env") or {}).items() if SENSITIVE_RE.search(str(v))}
            with_ = {
                k: v for k, v in (step.get("with") or {}).items() if SENSITIVE_RE.search(str(v))
            }
            if env or with_:
                given = [f"`{name}` (env)" for name in env] + [f"`{name}` (with)" for name in with_]
                rows.append([f"`{job_id}`", _step_name(step), ", ".join(given)])
    return rows


def workflow_section(path: Path, relative: str) -> str:
    """One reusable workflow: inputs, secrets, outputs, jobs, tokens by step, pinned actions."""
    text = path.read_text(encoding="utf-8")
    data = load(path)
    call = (data.get("on") or {}).get("workflow_call") or {}
    jobs = data.get("jobs") or {}
    parts = [
        *_workflow_intro(text, data, relative),
        "### Inputs",
        _workflow_inputs(call.get("inputs") or {}),
        "### Secrets",
        _workflow_secrets(call.get("secrets") or {}),
        "### Outputs",
        _workflow_outputs(call.get("outputs") or {}),
        "### Jobs and permissions",
        _workflow_settings(data),
        _jobs_table(jobs),
        "### Where secrets and tokens go",
        _tokens_by_step(jobs),
        "### Actions used",
        _actions_table(text),
    ]
    return "\n\n".join(parts) + "\n"


def _workflow_intro(text: str, data: dict[str, Any], relative: str) -> list[str]:
    """The title, the workflow's name, its top comment and how to call it."""
    parts = [f"## `{relative}`", f"Workflow name: **{markdown_cell(data.get('name', ''))}**."]
    comment = leading_comment(text)
    if comment:
        parts.append(_comment_markdown(comment))
    parts.append(
        f"Call it from a job: `uses: gitml/gitml/{relative}@<full-commit-sha>`; "
        "pass `with:` inputs and `secrets:` one by one."
    )
    return parts


def _workflow_inputs(inputs: dict[str, Any]) -> str:
    if not inputs:
        return "None."
    return _table(
        ["input", "type", "required", "default", "description"],
        [
            [
                f"`{name}`",
                markdown_cell(spec.get("type", "")),
                "yes" if spec.get("required") else "no",
                _code(spec.get("default", "")) if "default" in spec else "",
                markdown_cell(spec.get("description", "")),
            ]
            for name, spec in inputs.items()
        ],
    )


def _workflow_secrets(secrets: dict[str, Any]) -> str:
    if not secrets:
        return "None: the workflow uses only the job's own `GITHUB_TOKEN`."
    return _table(
        ["secret", "required", "description"],
        [
            [
                f"`{name}`",
                "yes" if (spec or {}).get("required") else "no",
                markdown_cell((spec or {}).get("description", "")),
            ]
            for name, spec in secrets.items()
        ],
    )


def _workflow_outputs(outputs: dict[str, Any]) -> str:
    if not outputs:
        return "None."
    return _table(
        ["output", "description", "value"],
        [
            [f"`{name}`", markdown_cell(spec.get("description", "")), _code(spec.get("value", ""))]
            for name, spec in outputs.items()
        ],
    )


def _workflow_settings(data: dict[str, Any]) -> str:
    """The workflow-level permissions and concurrency."""
    lines = [f"Workflow-level permissions: {_permissions(data.get('permissions'))}."]
    concurrency = data.get("concurrency")
    if concurrency:
        lines.append(
            f"Concurrency: group {_code(concurrency.get('group', ''))}, cancel in progress: "
            f"{_code(concurrency.get('cancel-in-progress', False))}."
        )
    return " ".join(lines)


def _jobs_table(jobs: dict[str, Any]) -> str:
    if not jobs:
        return "No jobs."
    rows = [_job_row(job_id, job) for job_id, job in jobs.items()]
    return _table(["job", "name", "needs", "runs when", "permissions", "notes"], rows)


def _job_row(job_id: str, job: dict[str, Any]) -> list[str]:
    needs = job.get("needs") or []
    needs = [needs] if isinstance(needs, str) else needs
    # a job without ``if:`` runs when what it needs succeeded
    when = _code(job["if"]) if "if" in job else None
    return [
        f"`{job_id}`",
        markdown_cell(job.get("name", "")),
        ", ".join(f"`{n}`" for n in needs),
        when or ("when its `needs` succeed" if needs else "every run"),
        _permissions(job.get("permissions")),
        "; ".join(_job_notes(job)),
    ]


def _job_notes(job: dict[str, Any]) -> list[str]:
    """A job's environment, concurrency and timeout, when it sets them."""
    notes = []
    if job.get("environment"):
        notes.append(f"environment {_code(job['environment'])}")
    if job.get("concurrency"):
        group = job["concurrency"]
        notes.append(
            f"concurrency {_code(group.get('group', ''))}, cancel in progress "
            f"{_code(group.get('cancel-in-progress', False))}"
        )
    if job.get("timeout-minutes") is not None:
        notes.append(f"timeout {_code(job['timeout-minutes'])} min")
    return notes


def _tokens_by_step(jobs: dict[str, Any]) -> str:
    sensitive = _sensitive_steps(jobs)
    if not sensitive:
        return "No step receives a secret or a token."
    return (
        "Only these steps receive a secret or the job's token; every other step gets neither.\n\n"
        + _table(["job", "step", "receives"], sensitive)
    )


def _actions_table(text: str) -> str:
    actions = pinned_actions(text)
    if not actions:
        return "None."
    return _table(
        ["action", "pinned to", "version"],
        [[f"`{a}`", f"`{ref}`", markdown_cell(note)] for a, ref, note in actions],
    )


def input_uses(steps: list[dict[str, Any]], name: str) -> list[str]:
    """Where the action's steps read ``inputs.<name>``: an ``env:`` variable, a ``with:`` key of
    an action, a ``working-directory`` or an ``if:``; never a ``run:`` script."""
    pattern = re.compile(rf"inputs\.{re.escape(name)}(?![\w-])")
    found: dict[str, None] = {}
    for step in steps:
        for var, value in (step.get("env") or {}).items():
            if pattern.search(str(value)):
                found[f"env `{var}`"] = None
        for key, value in (step.get("with") or {}).items():
            if pattern.search(str(value)):
                found[f"`{key}` of `{step.get('uses', '').split('@')[0]}`"] = None
        if pattern.search(str(step.get("working-directory", ""))):
            found["`working-directory`"] = None
        if pattern.search(str(step.get("if", ""))):
            found[f"`if:` of step {markdown_cell(step.get('name', step.get('id', '')))}"] = None
    return list(found)


def action_section(path: Path, relative: str) -> str:
    """The composite action: its inputs (with the variable each becomes) and outputs."""
    text = path.read_text(encoding="utf-8")
    data = load(path)
    steps = (data.get("runs") or {}).get("steps") or []
    parts = [
        f"## `{relative}`",
        f"Action name: **{markdown_cell(data.get('name', ''))}**. {markdown_cell(data.get('description', ''))}",
        "Use it as a step: `uses: gitml/gitml/action@<full-commit-sha>`. Inputs reach the "
        "scripts only through `env:` (no `${{ }}` in a `run:` script); the table says where each "
        "input is read.",
        "### Inputs",
    ]
    inputs = data.get("inputs") or {}
    parts.append(
        _table(
            ["input", "required", "default", "read by", "description"],
            [
                [
                    f"`{name}`",
                    "yes" if spec.get("required") else "no",
                    _code(spec.get("default", "")) if "default" in spec else "",
                    ", ".join(input_uses(steps, name)),
                    markdown_cell(spec.get("description", "")),
                ]
                for name, spec in inputs.items()
            ],
        )
    )
    outputs = data.get("outputs") or {}
    parts.append("### Outputs")
    parts.append(
        _table(
            ["output", "description", "value"],
            [
                [
                    f"`{name}`",
                    markdown_cell(spec.get("description", "")),
                    _code(spec.get("value", "")),
                ]
                for name, spec in outputs.items()
            ],
        )
    )
    parts.append("### Permissions")
    parts.append(
        "A composite action has none of its own: it uses the calling job's `GITHUB_TOKEN` "
        "(input `github-token`) and hands it only to `gitml comment`, the command that calls the "
        "GitHub API; every other command runs without it. Grant the job what the command needs "
        "(`pull-requests: "
        "write` and `checks: write` for `gitml comment`, `contents: write` for `gitml "
        "promote`, `contents: read` otherwise)."
    )
    parts.append("### Actions used")
    parts.append(_actions_table(text))
    return "\n\n".join(parts) + "\n"


def render(root: Path | str = ".") -> str:
    """The whole reference for the files under ``root`` (the repository's root)."""
    root = Path(root)
    contents = ["## Contents", ""]
    for relative in (*WORKFLOWS, ACTION):
        anchor = "".join(c for c in relative.lower() if c.isalnum() or c in "-_")
        contents.append(f"- [`{relative}`](#{anchor})")
    sections = [HEADER, "\n".join(contents) + "\n"]
    sections += [workflow_section(root / relative, relative) for relative in WORKFLOWS]
    sections.append(action_section(root / ACTION, ACTION))
    return "\n".join(sections)


PAGE = GeneratedDoc("gitml.workflow_reference", DEFAULT_PATH, "a workflow or the action", render)
check = PAGE.check
main = PAGE.main


if __name__ == "__main__":
    sys.exit(main())
