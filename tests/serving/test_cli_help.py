"""Every command of this feature has help with an example and is registered."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gitml.cli import COMMANDS, cli


@pytest.mark.parametrize("name", ["promote", "models", "build", "serve", "smoke-test"])
def test_command_has_help_with_example(name):
    assert name in COMMANDS
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_promote_to_needs_version():
    from gitml.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["promote", "--to", "prod"])
    assert exited.value.code == 2
