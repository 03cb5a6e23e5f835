"""The retrain step holds a token that may push and open pull requests; the pipeline's stages,
which it runs, never see it, and the step has it back afterwards to push the branch."""

from __future__ import annotations

import os
import sys

from gitml.retrain.pipeline import TOKEN_VARIABLES
from gitml.run import run_pipeline

RECORD = "import os; open('seen.txt', 'w').write(os.environ.get('{name}', 'unset'))"


def test_the_stages_run_without_the_push_token(project, monkeypatch):
    stages = "".join(
        f"  see-{name.lower()}:\n"
        f'    cmd: {sys.executable} -c "{RECORD.format(name=name)}" && mv seen.txt {name}.txt\n'
        f"    outs: [{name}.txt]\n"
        for name in TOKEN_VARIABLES
    )
    project.write({"dvc.yaml": "stages:\n" + stages})
    project.commit("stages that record the tokens they see")
    for name in TOKEN_VARIABLES:
        monkeypatch.setenv(name, f"secret-{name}")

    run = run_pipeline(project.root, hidden_variables=TOKEN_VARIABLES)

    assert [stage.status for stage in run.stages] == ["ran"] * len(TOKEN_VARIABLES)
    for name in TOKEN_VARIABLES:
        assert (project.root / f"{name}.txt").read_text() == "unset"
        assert os.environ[name] == f"secret-{name}"  # back for git push and the API
