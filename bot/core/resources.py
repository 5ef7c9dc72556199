"""Locate and load the project's data files; the only module that knows where `data/` is."""

from __future__ import annotations

import importlib.util
import stat
import time
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


# How often a cached file's modification time is looked at again: the hot paths (an area's name
# per search result) ask for the same file many times a second, each ask a stat call before.
MTIME_RECHECK_SECONDS = 1.0
_checked: dict[Path, tuple[float, int]] = {}  # path: (when its mtime was read, that mtime)


@cache
def _data_path(name: str) -> Path:
    return data_dir() / name


def load_yaml(name: str) -> Any:
    """Parse `data/<name>` (cached; re-read within MTIME_RECHECK_SECONDS of the file changing)."""
    path = _data_path(name)
    now = time.monotonic()
    checked = _checked.get(path)
    if checked is None or now - checked[0] >= MTIME_RECHECK_SECONDS:
        try:
            status = path.stat()
        except FileNotFoundError:
            _checked.pop(path, None)
            raise FileNotFoundError(f"data file missing: {path}") from None
        if not stat.S_ISREG(status.st_mode):
            raise FileNotFoundError(f"data file missing: {path}")
        checked = (now, status.st_mtime_ns)
        _checked[path] = checked
    return _load_yaml_cached(path, checked[1])
