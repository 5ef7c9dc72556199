"""A cheap filter before substring tests: of a list of strings, the ones a text may hold are
those whose first character it holds."""

from __future__ import annotations

from collections.abc import Sequence


class ByFirstCharacter:
    """Positions in a list of strings, grouped by each string's first character."""

    def __init__(self, strings: Sequence[str]) -> None:
        self._by_first: dict[str, list[int]] = {}
        for number, string in enumerate(strings):
            self._by_first.setdefault(string[:1], []).append(number)

    def candidates(self, text: str) -> list[int]:
        """The positions (ascending, so in the list's order) of the strings that may occur in
        `text`: every string that does is among them."""
        numbers = list(self._by_first.get("", ()))  # an empty string occurs in every text
        for character in set(text):
            numbers.extend(self._by_first.get(character, ()))
        numbers.sort()
        return numbers
