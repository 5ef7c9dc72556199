"""The tree stays ruff-clean (lint and format), type-checks (mypy) and keeps its layers
(import-linter contracts in pyproject.toml), so CI catches style, typing, import-rule and layering
breaks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> list[str]:
    """The tool installed beside this Python (the venv's), else on PATH."""
    candidate = Path(sys.executable).with_name(name)
    if candidate.exists():
        return [str(candidate)]
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return [found]


def _run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("arguments", [["check", "."], ["format", "--check", "."]])
def test_ruff(arguments: list[str]) -> None:
    _run([*_tool("ruff"), *arguments])


def test_layers() -> None:
    """bot/ and handlers/ import only downwards (see ARCHITECTURE.md)."""
    _run([*_tool("lint-imports"), "--no-cache"])


def test_mypy() -> None:
    """bot/ and handlers/ type-check with the settings in pyproject.toml ([tool.mypy])."""
    _run(_tool("mypy"))
