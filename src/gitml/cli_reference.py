"""The CLI reference (``docs/cli.md``), generated from the click commands themselves.

``render()`` walks the ``gitml`` group (every name in ``gitml.cli.COMMANDS``, loaded through the
``LazyGroup``) and returns Markdown: per command its usage line, its help text and a table of its
options. Help paragraphs are re-flowed as click does; a block that starts with click's ``\\b``
marker (the "Example:" blocks) is kept line for line, as a code block.

Regenerate the page, and check it is current, from the repository's root::

    python -m gitml.cli_reference > docs/cli.md
    python -m gitml.cli_reference --check
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import click

from gitml.core.markdown import markdown_cell
from gitml.generated_doc import GeneratedDoc

#: The one command that rewrites the page; failure messages print it.
REGENERATE = "python -m gitml.cli_reference > docs/cli.md"
DEFAULT_PATH = Path("docs") / "cli.md"

HEADER = (
    "# CLI reference\n"
    "\n"
    "<!-- Generated from the click commands: do not edit by hand. Regenerate with\n"
    f"     {REGENERATE} -->\n"
    "\n"
    "Every command prints one `ERROR: ...` line and exits with a non-zero code on an expected\n"
    "failure (see [troubleshooting](troubleshooting.md#exit-codes)); `gitml -v COMMAND` shows the\n"
    "traceback.\n"
)


def _is_unset(value: object) -> bool:
    """Click 8.3 marks "no default" with a sentinel; older versions with None."""
    return value is None or type(value).__name__ == "Sentinel"


def _metavar(param: click.Parameter, ctx: click.Context) -> str:
    try:
        return param.make_metavar(ctx)
    except TypeError:  # click < 8.2 takes no context
        return param.make_metavar()  # type: ignore[call-arg]


def help_markdown(text: str | None, program: str = "gitml") -> str:
    """A click help text as Markdown.

    Paragraphs (separated by blank lines) are joined into one line each, as click re-wraps them.
    A paragraph whose first line is ``\\b`` is kept as written: its heading line, when it ends
    with ``:`` ("Examples:"), stays text and the indented lines below it become a code block
    (``sh`` when every line is a ``program`` command line). Anything after ``\\f`` is dropped, as
    click does.
    """
    if not text:
        return ""
    text = inspect.cleandoc(text.split("\f", 1)[0])
    out: list[str] = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.splitlines()
        if not lines:
            continue
        if lines[0].strip() == "\b":
            lines = lines[1:]
            heading = None
            if lines and lines[0].rstrip().endswith(":") and not lines[0].startswith(" "):
                heading, lines = lines[0].rstrip(), lines[1:]
            code = inspect.cleandoc("\n".join(lines)) if lines else ""
            if heading:
                out.append(heading)
            if code:
                language = (
                    "sh" if all(line.startswith(program) for line in code.splitlines()) else ""
                )
                out.append(f"```{language}\n{code}\n```")
        else:
            out.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(out)


def _option_type(option: click.Option, ctx: click.Context) -> str:
    if option.is_flag:
        return "flag"
    return f"`{_metavar(option, ctx)}`"


def _option_default(option: click.Option, ctx: click.Context) -> str:
    default = option.get_default(ctx, call=False)
    if _is_unset(default) or callable(default):
        return ""
    if option.is_flag:
        if option.secondary_opts:
            return f"`{option.opts[-1] if default else option.secondary_opts[-1]}`"
        return ""
    text = str(default)
    return f"`{text}`" if text else '`""`'


def options_table(command: click.Command, ctx: click.Context) -> str:
    """The Markdown table of a command's options: flags, type, default, help."""
    rows = [
        "| option | type | default | description |",
        "| --- | --- | --- | --- |",
    ]
    found = False
    for param in command.params:
        if not isinstance(param, click.Option) or param.hidden:
            continue
        found = True
        flags = ", ".join(f"`{opt}`" for opt in param.opts)
        if param.secondary_opts:
            flags += " / " + ", ".join(f"`{opt}`" for opt in param.secondary_opts)
        rows.append(
            f"| {flags} | {markdown_cell(_option_type(param, ctx))} | "
            f"{markdown_cell(_option_default(param, ctx))} | {markdown_cell(param.help or '')} |"
        )
    return "\n".join(rows) if found else ""


def arguments_table(command: click.Command, ctx: click.Context) -> str:
    """The Markdown table of a command's positional arguments (empty when it has none)."""
    rows = ["| argument | type | required |", "| --- | --- | --- |"]
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    for argument in arguments:
        if isinstance(argument.type, click.Choice):
            kind = "one of " + ", ".join(f"`{choice}`" for choice in argument.type.choices)
        else:
            kind = argument.type.name
        rows.append(
            f"| `{argument.human_readable_name}` | {markdown_cell(kind)} | "
            f"{'yes' if argument.required else 'no'} |"
        )
    return "\n".join(rows) if arguments else ""


def command_section(command: click.Command, ctx: click.Context, path: str) -> str:
    """One command's section: heading, usage line, help, arguments and options."""
    usage = " ".join([path, *command.collect_usage_pieces(ctx)])
    parts = [f"## `{path}`", f"```text\n{usage}\n```"]
    for block in (
        help_markdown(command.help, program=path.split()[0]),
        arguments_table(command, ctx),
        options_table(command, ctx),
    ):
        if block:
            parts.append(block)
    return "\n\n".join(parts) + "\n"


def _anchor(path: str) -> str:
    """GitHub's heading anchor for a heading that is just ``path`` in backticks."""
    return "".join(c for c in path.lower().replace(" ", "-") if c.isalnum() or c in "-_")


def render(group: click.Group | None = None, name: str = "gitml") -> str:
    """The whole reference: the group, a summary table, then one section per command."""
    if group is None:
        from gitml.cli import cli

        group = cli
    root = click.Context(group, info_name=name)
    commands = []
    for command_name in group.list_commands(root):
        command = group.get_command(root, command_name)
        if command is None or command.hidden:
            continue
        commands.append(
            (command_name, command, click.Context(command, info_name=command_name, parent=root))
        )

    summary = ["| command | what it does |", "| --- | --- |"]
    for command_name, command, _ in commands:
        path = f"{name} {command_name}"
        summary.append(
            f"| [`{path}`](#{_anchor(path)}) | {markdown_cell(command.get_short_help_str(limit=300))} |"
        )
    sections = [
        HEADER,
        command_section(group, root, name),
        "## Commands\n\n" + "\n".join(summary) + "\n",
        *(command_section(c, ctx, f"{name} {n}") for n, c, ctx in commands),
    ]
    return "\n".join(sections)


PAGE = GeneratedDoc("gitml.cli_reference", DEFAULT_PATH, "the click commands", render)
check = PAGE.check
main = PAGE.main


if __name__ == "__main__":
    sys.exit(main())
