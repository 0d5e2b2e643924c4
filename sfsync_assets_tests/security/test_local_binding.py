"""What listens on the network listens on loopback unless told otherwise: the demo's `dagster dev` is started
with `-h 127.0.0.1`, and the emulator binds 127.0.0.1 by default."""

from __future__ import annotations

import ast
import inspect

from sfsync_assets import demo
from sfsync_assets.cli import main
from sfsync_assets.lib.emulator.process import EmulatorProcess


def _string_lists(function) -> list[list[str]]:
    tree = ast.parse(inspect.getsource(function))
    return [
        [element.value for element in node.elts if isinstance(element, ast.Constant)]
        for node in ast.walk(tree)
        if isinstance(node, ast.List)
    ]


def test_the_demo_ui_binds_loopback() -> None:
    (command,) = [words for words in _string_lists(demo.serve_ui) if "dev" in words]
    assert command[command.index("-h") + 1] == "127.0.0.1"
    assert "0.0.0.0" not in inspect.getsource(demo)


def test_the_emulator_binds_loopback_by_default(emulator: EmulatorProcess) -> None:
    serve = main.commands["emulator"].commands["serve"]
    (host,) = [parameter for parameter in serve.params if parameter.name == "host"]
    assert host.default == "127.0.0.1"
    assert emulator.info.base_url.startswith("https://127.0.0.1:")
