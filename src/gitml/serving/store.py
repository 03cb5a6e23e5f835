"""Which BentoML store gitml's in-process BentoML calls use, given the caller's environment.

BentoML reads ``BENTOML_HOME`` from the process's environment once, the first time it opens its
store, and keeps the store for the life of the process. A caller that passes its own environment
(the demo keeps its models and Bentos in its own folder) must not have to change ``os.environ``
for that: :func:`bentoml_store` points BentoML's stores at that environment's ``BENTOML_HOME``
for the duration of a block, through BentoML's own dependency container (the way its pytest
plugin does), and puts them back afterwards. The child processes (``bentoml build``,
``bentoml serve``) get the same environment passed to them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

HOME_ENV = "BENTOML_HOME"


@contextmanager
def bentoml_store(env: Mapping[str, str] | None) -> Iterator[None]:
    """BentoML's models and Bentos under ``env["BENTOML_HOME"]`` inside the block; without an
    ``env`` (or without that variable in it) the process's own store, untouched."""
    home = env.get(HOME_ENV) if env is not None else None
    if not home:
        yield
        return
    from bentoml._internal.bento import BentoStore
    from bentoml._internal.configuration.containers import BentoMLContainer
    from bentoml._internal.models import ModelStore

    root = Path(home).expanduser()
    folders = {name: root / name for name in ("bentos", "models", "envs", "tmp")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    container = BentoMLContainer
    overrides = [
        (container.bentoml_home, str(root)),
        (container.bento_store_dir, str(folders["bentos"])),
        (container.model_store_dir, str(folders["models"])),
        (container.env_store_dir, str(folders["envs"])),
        (container.tmp_bento_store_dir, str(folders["tmp"])),
        (container.bento_store, BentoStore(str(folders["bentos"]))),
        (container.model_store, ModelStore(str(folders["models"]))),
        (container.tmp_bento_store, BentoStore(str(folders["tmp"]))),
    ]
    with ExitStack() as stack:
        for provider, value in overrides:
            stack.enter_context(provider.patch(value))
        yield
