"""A query's concepts: figures by value, the data's English phrases, then jieba words, with typos
repaired by merging a word the corpus lacks with its neighbours."""

from __future__ import annotations

from bot.search.index import SearchIndex
from bot.search.match import NUMBER_PREFIX, fuzzy_alternatives, is_known
from bot.search.query import ParsedQuery
from bot.search.segment import NUMBER, is_cjk, number_value

MAX_CONCEPTS = 12  # bounds the work for long pasted text


def concepts_of(index: SearchIndex, parsed: ParsedQuery) -> list[str]:
    """The query's concepts, in order: figures by value, known English phrases, then jieba words
    (jieba knows the data's terms as whole words), with typos repaired by merging a word the
    corpus lacks with its neighbours when that makes a near-miss of a vocabulary word."""
    text = f" {parsed.text} "
    concepts = [NUMBER_PREFIX + number_value(match) for match in NUMBER.finditer(text)]
    text = NUMBER.sub(" ", text)
    phrases, text = index.english_phrases.spot(text)
    concepts.extend(phrases)
    stop = index.lexicon.stop_words
    tests = _WordTests(index)
    for piece in text.split():
        words = index.segmenter.words(piece)
        if is_cjk(piece) and tests.misspelt(piece, words):
            concepts.append(piece)
            continue
        concepts.extend(_repair_typos(tests, [word for word in words if word not in stop]))
    unique = list(dict.fromkeys(concepts))
    return unique[:MAX_CONCEPTS]


class _WordTests:
    """One query's tests of its words against the corpus, each made once: a word is tested as
    a piece of the query, as a word of that piece and again as part of a merge."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._known: dict[str, bool] = {}
        self._misspelt: dict[str, bool] = {}

    def known(self, word: str) -> bool:
        """`bot.search.match.is_known`."""
        found = self._known.get(word)
        if found is None:
            found = self._known[word] = is_known(self.index, word)
        return found

    def misspelt(self, run: str, words: list[str] | None = None) -> bool:
        """A Chinese run of 3 to 8 characters the corpus lacks, that is not known words side by
        side, with a close vocabulary word. `words`: the run's words, when already cut."""
        found = self._misspelt.get(run)
        if found is None:
            found = self._misspelt[run] = self._is_misspelt(run, words)
        return found

    def _is_misspelt(self, run: str, words: list[str] | None) -> bool:
        if not 3 <= len(run) <= 8 or self.known(run):
            return False
        if words is None:
            words = self.index.segmenter.words(run)
        if len(words) > 1 and all(len(word) >= 2 and self.known(word) for word in words):
            return False  # known words side by side (電動車電池), not a typo
        return bool(fuzzy_alternatives(self.index, run, limit=1))


def _repair_typos(tests: _WordTests, words: list[str]) -> list[str]:
    repaired = list(words)
    position = 0
    while position < len(repaired):
        word = repaired[position]
        if is_cjk(word) and not tests.known(word):
            for start, end in (
                (position, position + 2),
                (position - 1, position + 1),
                (position - 1, position + 2),
            ):
                merged = "".join(repaired[max(start, 0) : end])
                if (
                    start >= 0
                    and end <= len(repaired)
                    and is_cjk(merged)
                    and tests.misspelt(merged)
                ):
                    repaired[start:end] = [merged]
                    position = start
                    break
        position += 1
    return repaired
