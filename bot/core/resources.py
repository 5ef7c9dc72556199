"""Locate and load the project's data files; the only module that knows where `data/` is."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def data_dir() -> Path:
    """The repository's `data/` folder (shipped with the code, read-only at run time)."""
    return _DEFAULT_DATA_DIR


def sources_dir() -> Path:
    """Where the source documents and their manifest live."""
    return data_dir() / "sources"


@cache
def _load_yaml_cached(path: Path, mtime_ns: int) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_yaml(name: str) -> Any:
    """Parse `data/<name>` (cached until the file changes)."""
    path = data_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"data file missing: {path}")
    return _load_yaml_cached(path, path.stat().st_mtime_ns)
