"""The README documents every environment variable the bot reads."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.config import HELP, Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_has_a_row_in_the_readme() -> None:
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", README.read_text(), re.MULTILINE))
    variables = {name.upper() for name in Settings.model_fields}
    assert variables - documented == set()
    assert set(HELP) <= variables  # every error-message hint names a real variable
