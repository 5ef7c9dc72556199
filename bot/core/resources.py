"""Locate and load the project's data files; the only module that knows where `data/` is."""

from __future__ import annotations

import importlib.util
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

# libyaml's safe loader when PyYAML was built with it (ten times faster, same results), else the
# pure-Python one.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# data/ is installed as this package (pyproject.toml maps it); an editable install maps the name
# to the repository's data/ folder, a wheel carries a copy.
_PACKAGE = "bot.bundled_data"
_CHECKOUT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@cache
def data_dir() -> Path:
    """The `data/` folder shipped with the code (read-only at run time): the installed package's,
    or the checkout's when the code runs from a checkout without being installed."""
    if importlib.util.find_spec(_PACKAGE) is None:
        return _CHECKOUT_DATA_DIR
    return Path(str(files(_PACKAGE)))


def sources_dir() -> Path:
    """Where the source documents and their manifest live."""
    return data_dir() / "sources"


@cache
def _load_yaml_cached(path: Path, mtime_ns: int) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_SAFE_LOADER)


def load_yaml(name: str) -> Any:
    """Parse `data/<name>` (cached until the file changes)."""
    path = data_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"data file missing: {path}")
    return _load_yaml_cached(path, path.stat().st_mtime_ns)
