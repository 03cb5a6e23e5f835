"""The ``gitml`` command line: parse, call one library function, render, return.

Commands live in ``gitml.commands``; each module there defines one click command. Expected failures
are ``GitmlError``s, turned into one ``ERROR:`` line and an exit code here, in one place.
"""

from __future__ import annotations

import logging
import sys

import click

from gitml import __version__
from gitml.core.secrets import MaskedStream
from gitml.errors import EXIT_FAILURE, GitmlError, first_line

# name -> "module:attribute"; loaded lazily so `gitml --help` stays fast (DVC and BentoML are heavy).
COMMANDS = {
    "build": "gitml.commands.build:build",
    "card": "gitml.commands.card:card",
    "demo": "gitml.commands.demo:demo",
    "deploy": "gitml.commands.deploy:deploy",
    "init": "gitml.commands.init:init",
    "models": "gitml.commands.models:models",
    "monitor": "gitml.commands.monitor:monitor",
    "monitor-issue": "gitml.commands.monitor_issue:monitor_issue",
    "promote": "gitml.commands.promote:promote",
    "release": "gitml.commands.release:release",
    "run": "gitml.commands.run:run",
    "serve": "gitml.commands.serve:serve",
    "smoke-test": "gitml.commands.smoke_test:smoke_test",
    "report": "gitml.commands.report:report",
    "retrain": "gitml.commands.retrain:retrain",
    "rollback": "gitml.commands.rollback:rollback",
    "stage": "gitml.commands.stage:stage",
    "comment": "gitml.commands.comment:comment",
    "sweep": "gitml.commands.sweep:sweep",
    "validate": "gitml.commands.validate:validate",
}

#: Each command's summary (the first paragraph of its help), so ``gitml --help`` lists the
#: commands without importing them: that import (pandas, DVC, PyGithub) took help to 2 s.
#: tests/docs/test_cli_reference.py checks they equal the commands' own help.
SUMMARIES = {
    "build": "Import the DVC-tracked model into BentoML and build a Bento (offline by default).",
    "card": "Print the model card of a version: Markdown with Hugging Face's YAML front matter.",
    "comment": "Post REPORT as the pull request's gitml comment, updated in place on every run.",
    "demo": "Play the GitOps loop on this machine: no network, no credentials, no Docker.",
    "deploy": "Write the image of the version in STAGE into the stage's kustomization file and "
    "commit it.",
    "init": "Add gitml to this git repository.",
    "models": "List model versions (newest first), their stages and the metrics each was "
    "promoted with.",
    "monitor": "Compare what the served model sees with the data it was trained on.",
    "monitor-issue": "Open, update or close the sticky monitoring issue from a `gitml monitor` "
    "report.",
    "promote": "Register the commit as the next model version and assign it a stage (GTO tags).",
    "release": "Create or update the GitHub Release of a version from its papers.",
    "report": "Compare metrics, params, data and plots of head against base.",
    "retrain": "Append new labelled rows to the DVC-tracked dataset on a branch, retrain, open a "
    "PR.",
    "rollback": "Move STAGE back to the version it held before the current one, as a new stage "
    "tag.",
    "run": "Reproduce the DVC pipeline (dvc repro) and list each stage's status and time.",
    "serve": "Serve a model locally with the image's endpoints (POST /predict, /predict_proba, "
    "/feedback, /metadata); see docs/serving.md.",
    "smoke-test": "Serve the Bento on 127.0.0.1 and require its predictions to equal the model's.",
    "stage": "Run a built-in stage (prepare, train, evaluate) of the reference pipeline.",
    "sweep": "Run a grid of experiments and rank them in one leaderboard.",
    "validate": "Replay prod's logged traffic through the candidate and judge it against prod's "
    "model.",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, as click writes it, from ``SUMMARIES``."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        # a stand-in command per name: click shortens its help as it would the command's own
        rows = [
            (name, click.Command(name, help=SUMMARIES[name]).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        import importlib

        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gitml")
@click.option("-v", "--verbose", is_flag=True, help="Show debug logs and tracebacks.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """GitOps for machine learning: reproduce, compare, review and promote models from git."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn expected failures into one line and an exit code."""
    # every line gitml (and DVC, PyGithub, a traceback) prints goes out with secrets masked
    streams = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, MaskedStream):
        sys.stdout, sys.stderr = MaskedStream(sys.stdout), MaskedStream(sys.stderr)
    try:
        _run(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _run(argv: list[str] | None) -> None:
    """Run the CLI; exit with the command's code, or an expected failure's one line and code."""
    verbose = "-v" in (argv or sys.argv[1:]) or "--verbose" in (argv or sys.argv[1:])
    try:
        # Without standalone mode click returns ctx.exit() codes instead of raising SystemExit.
        returned = cli.main(args=argv, prog_name="gitml", standalone_mode=False)
    except GitmlError as error:
        if verbose:
            import traceback

            traceback.print_exc()
        click.echo(f"ERROR: {error.message}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except Exception as error:  # a bug, not an expected failure: say so, traceback with -v
        if verbose:
            raise
        click.echo(
            f"ERROR: unexpected {type(error).__name__}: {first_line(error)}"
            " (run with -v for the traceback, and please report it)",
            err=True,
        )
        sys.exit(EXIT_FAILURE)
    sys.exit(returned if isinstance(returned, int) else 0)
