"""Data files are parsed once and re-read after they change (their modification time is looked
at again at most every MTIME_RECHECK_SECONDS, not on every call)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core import resources


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(resources, "data_dir", lambda: tmp_path)
    return tmp_path


def _write(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_changed_file_is_read_again_once_its_time_is_rechecked(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = data / "words.yaml"
    _write(path, "[one]", 1_000_000_000)
    first = resources.load_yaml("words.yaml")
    assert first == ["one"]
    assert resources.load_yaml("words.yaml") is first  # parsed once
    _write(path, "[two]", 2_000_000_000)
    assert resources.load_yaml("words.yaml") is first  # within the recheck interval
    monkeypatch.setattr(resources, "MTIME_RECHECK_SECONDS", 0.0)
    assert resources.load_yaml("words.yaml") == ["two"]


def test_a_missing_or_vanished_file_is_named(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError, match=r"data file missing: .*absent\.yaml"):
        resources.load_yaml("absent.yaml")
    (data / "folder.yaml").mkdir()
    with pytest.raises(FileNotFoundError, match="data file missing"):
        resources.load_yaml("folder.yaml")
    path = data / "gone.yaml"
    _write(path, "[x]", 3_000_000_000)
    assert resources.load_yaml("gone.yaml") == ["x"]
    path.unlink()
    monkeypatch.setattr(resources, "MTIME_RECHECK_SECONDS", 0.0)
    with pytest.raises(FileNotFoundError, match="data file missing"):
        resources.load_yaml("gone.yaml")
