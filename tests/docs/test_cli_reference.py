"""docs/cli.md is generated from the click commands and kept current; every command has help
with an Example block (the one test of it, for every command)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from gitml import cli_reference
from gitml.cli import COMMANDS, SUMMARIES, cli

REPO_ROOT = Path(__file__).resolve().parents[2]
CLI_MD = REPO_ROOT / "docs" / "cli.md"


def test_docs_cli_md_is_current():
    current = CLI_MD.read_text(encoding="utf-8") if CLI_MD.exists() else ""
    assert current == cli_reference.render(), (
        "docs/cli.md is stale (a click command, option or help text changed); regenerate it "
        f"from the repository's root with: {cli_reference.REGENERATE}"
    )


#: What some commands' help shows beyond an Example block.
HELP_SHOWS = {
    "init": ["Example:\n    gitml init\n"],
    "comment": ["Examples:", "--dry-run"],
}


def test_the_features_commands_are_registered():
    features = {"promote", "models", "build", "serve", "smoke-test", "init", "comment"}
    assert features <= set(COMMANDS)
    assert COMMANDS["init"] == "gitml.commands.init:init"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name, gitml_main):
    result = gitml_main(name, "--help")
    assert result.code == 0, result
    assert "Example" in result.out, f"gitml {name} --help shows no Example block"
    for text in HELP_SHOWS.get(name, []):
        assert text in result.out, f"gitml {name} --help lacks {text!r}"
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.help, f"gitml {name} has no help text"
    assert "Example" in command.help, f"gitml {name}'s help has no Example block"
    assert "\b" in command.help, f"gitml {name}'s Example block needs click's \\b marker"


@pytest.mark.parametrize("width", [60, 80, 120])
def test_help_lists_each_command_with_its_own_summary(width):
    """``gitml --help`` lists the commands from SUMMARIES; the list equals what click writes
    from the commands themselves (update SUMMARIES when a command's first paragraph changes)."""
    assert set(SUMMARIES) == set(COMMANDS)
    context = click.Context(cli, terminal_width=width)
    loaded = click.Group(commands={n: cli.get_command(context, n) for n in COMMANDS})
    expected, listed = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    click.Group.format_commands(loaded, context, expected)
    cli.format_commands(context, listed)
    assert listed.getvalue() == expected.getvalue()


def test_help_imports_no_command():
    """Help lists every command without importing one (they import pandas, DVC, PyGithub)."""
    code = (
        "import sys\n"
        "from gitml.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('gitml.commands.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "sweep" in result.stdout and "Commands:" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_section_in_docs_cli_md(name):
    text = CLI_MD.read_text(encoding="utf-8")
    assert f"\n## `gitml {name}`\n" in text, (
        f"docs/cli.md has no section for gitml {name}; regenerate it with: "
        f"{cli_reference.REGENERATE}"
    )


@click.group()
def toy():
    """A toy group."""


@toy.command("greet")
@click.argument("who", type=click.Choice(["world", "moon"]))
@click.option("-n", "--times", default=1, show_default=True, help="How | many times.")
@click.option("--loud/--quiet", default=False, help="Shout.")
@click.option("--dry-run", is_flag=True, help="Print only.")
@click.option("--out", type=click.Path(dir_okay=False), metavar="FILE", help="Write here.")
def greet(who, times, loud, dry_run, out):
    """Greet WHO a few
    times.

    Second paragraph.

    \b
    Examples:
      toy greet world
      toy greet moon -n 2 --loud

    \f
    Hidden from help.
    """


def test_render_of_a_toy_command_is_exact():
    assert cli_reference.render(toy, name="toy") == cli_reference.HEADER + "\n" + (
        "## `toy`\n"
        "\n"
        "```text\n"
        "toy [OPTIONS] COMMAND [ARGS]...\n"
        "```\n"
        "\n"
        "A toy group.\n"
        "\n"
        "## Commands\n"
        "\n"
        "| command | what it does |\n"
        "| --- | --- |\n"
        "| [`toy greet`](#toy-greet) | Greet WHO a few times. |\n"
        "\n"
        "## `toy greet`\n"
        "\n"
        "```text\n"
        "toy greet [OPTIONS] {world|moon}\n"
        "```\n"
        "\n"
        "Greet WHO a few times.\n"
        "\n"
        "Second paragraph.\n"
        "\n"
        "Examples:\n"
        "\n"
        "```sh\n"
        "toy greet world\n"
        "toy greet moon -n 2 --loud\n"
        "```\n"
        "\n"
        "| argument | type | required |\n"
        "| --- | --- | --- |\n"
        "| `WHO` | one of `world`, `moon` | yes |\n"
        "\n"
        "| option | type | default | description |\n"
        "| --- | --- | --- | --- |\n"
        "| `-n`, `--times` | `INTEGER` | `1` | How \\| many times. |\n"
        "| `--loud` / `--quiet` | flag | `--quiet` | Shout. |\n"
        "| `--dry-run` | flag |  | Print only. |\n"
        "| `--out` | `FILE` |  | Write here. |\n"
    )


def test_check_names_the_regenerate_command(tmp_path, capsys):
    stale = tmp_path / "cli.md"
    stale.write_text("old\n", encoding="utf-8")
    assert cli_reference.main(["--check", str(stale)]) == 1
    assert cli_reference.REGENERATE in capsys.readouterr().err
    stale.write_text(cli_reference.render(), encoding="utf-8")
    assert cli_reference.main(["--check", str(stale)]) == 0
