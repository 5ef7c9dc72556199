"""The data's multi-word English terms ("green bonds"), spotted as whole words in a query."""

from __future__ import annotations

import re
from collections.abc import Iterable

# A run of letters and digits: a phrase matches only where each of its runs stands whole.
_RUN = re.compile(r"[a-z0-9]+")


class WholePhrase:
    """A multi-word English term found only as whole words; its regular expression is compiled
    on first use (compiling all of them cost a command-line start half a second)."""

    def __init__(self, term: str) -> None:
        self.term = term
        self._compiled: re.Pattern[str] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        """The compiled expression."""
        if self._compiled is None:
            self._compiled = re.compile(rf"(?<![a-z0-9]){re.escape(self.term)}(?![a-z0-9])")
        return self._compiled

    def search(self, text: str) -> re.Match[str] | None:
        """Where the term stands as whole words in `text`, if it does."""
        return self.pattern.search(text)

    def sub(self, replacement: str, text: str) -> str:
        """`text` with every whole-word occurrence replaced."""
        return self.pattern.sub(replacement, text)


class EnglishPhrases:
    """Folded multi-word English terms, tried in the order given (longest first), each cut out
    of the text once found so that a shorter one inside it is not found again.

    A phrase is tried only when the text holds its first run of letters and digits as a whole
    run: where a phrase stands as whole words, each of its runs does too (it either starts the
    phrase, after a non-letter, or follows one of the phrase's own spaces or signs). So a query
    is checked against the few phrases that can be in it, not against all of them (575 of the
    data's, most queries none)."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._phrases = [WholePhrase(term) for term in terms]
        self._by_first_run: dict[str, list[int]] = {}
        for number, phrase in enumerate(self._phrases):
            runs = _RUN.findall(phrase.term)
            self._by_first_run.setdefault(runs[0] if runs else "", []).append(number)

    def __len__(self) -> int:
        return len(self._phrases)

    def spot(self, text: str) -> tuple[list[str], str]:
        """The phrases standing whole in `text`, in the order tried, and the text with each
        occurrence replaced by a space."""
        numbers = set(self._by_first_run.get("", ()))  # a phrase without letters: always tried
        for run in set(_RUN.findall(text)):
            numbers.update(self._by_first_run.get(run, ()))
        found = []
        for number in sorted(numbers):
            phrase = self._phrases[number]
            if phrase.term in text and phrase.search(text):
                found.append(phrase.term)
                text = phrase.sub(" ", text)
        return found, text
