"""Keep a stand-in honest about the inputs of the real action it does not implement.

Each stand-in declares every input of the real action at its pinned tag; the ones it does not
implement default to "" and are listed in NOT_IMPLEMENTED (a workflow that sets one fails the
step: the stand-in cannot show what the real action would do), the ones it accepts without
effect in IGNORED (a loud warning). INPUTS is ``toJSON(inputs)``. The act harness passes this
file's path as STANDIN_CHECK_INPUTS (act copies only the stand-in's own folder).
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    action = os.environ["STANDIN_ACTION"]
    inputs = json.loads(os.environ["INPUTS"])
    refused = [n for n in os.environ.get("NOT_IMPLEMENTED", "").split() if inputs.get(n, "")]
    ignored = [n for n in os.environ.get("IGNORED", "").split() if inputs.get(n, "")]
    for name in ignored:
        print(f"::warning::{action} stand-in: {name}={inputs[name]!r} has no effect here")
    if refused:
        given = ", ".join(f"{n}={inputs[n]!r}" for n in refused)
        print(f"::error::{action} stand-in does not implement {given}; implement it or drop it")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
