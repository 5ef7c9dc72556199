"""The built wheel is the whole bot: it carries data/ (as `bot.bundled_data`) and, installed into a
fresh environment, ingests and searches from any directory, with no checkout in sight."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from setuptools import find_namespace_packages

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_DATA = "bot.bundled_data"  # data/, mapped in pyproject.toml


def test_the_package_list_covers_the_tree() -> None:
    """pyproject.toml lists the packages (it must, to map data/): a new one must be listed too."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    found = find_namespace_packages(
        where=str(ROOT), include=["bot", "bot.*", "handlers", "miniapp"]
    )
    assert sorted(setuptools["packages"]) == sorted([*found, BUNDLED_DATA])
    assert setuptools["package-dir"] == {BUNDLED_DATA: "data"}


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _build_wheel(tmp_path: Path) -> Path:
    """Build from a copy of the sources, so no stale build/ folder of the checkout gets in."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("bot", "handlers", "miniapp", "data"):
        shutil.copytree(ROOT / name, source / name, ignore=skip)
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, source], tmp_path)
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _fresh_venv(tmp_path: Path, wheel: Path) -> tuple[Path, Path]:
    """A new venv holding the wheel; its dependencies come from this environment (a .pth file
    appends our site-packages after the venv's own, without running our editable-install hook)."""
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path
        ).strip()
    )
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "install", "-q", "--no-deps", "--no-index", "--target", purelib, wheel], tmp_path)
    ours = {*site.getsitepackages(), sysconfig.get_path("purelib")}
    (purelib / "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    return venv, python


@pytest.mark.slow
def test_the_wheel_carries_data_and_searches(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    venv, python = _fresh_venv(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'store.db'}"

    located = _run(
        [python, "-c", "from bot.core.resources import data_dir; print(data_dir())"],
        elsewhere,
        env,
    ).strip()
    assert Path(located).is_relative_to(venv), located  # the wheel's copy, not the checkout's
    assert (Path(located) / "sources" / "manifest.yaml").is_file()
    page = "from miniapp.page import assets; print(sorted(assets()))"  # the Mini App's files
    shipped = _run([python, "-c", page], elsewhere, env)
    assert all(name in shipped for name in ("index.html", "main.js", "app.css")), shipped

    _run([python, "-m", "bot", "ingest"], elsewhere, env)
    answer = json.loads(_run([python, "-m", "bot", "search", "北都", "--json"], elsewhere, env))
    assert answer["total"] > 0
    assert answer["results"] and answer["results"][0]["id"]
