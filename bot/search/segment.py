"""Tokenisation of folded text: jieba words for Chinese runs, words and numbers for Latin runs, and
character bigrams/unigrams so that an unsegmented or unusual term still matches."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from functools import cache

import jieba

from bot.core.cjk import IDEOGRAPHS
from bot.search.normalize import fold_text

_CJK_RUN = re.compile(f"[{IDEOGRAPHS}]+")
_LATIN_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|[a-z0-9]+(?:[.+&'][a-z0-9]+)*")
# A figure with an optional Chinese unit: 3,000 萬, 4萬, 1.5 億, 40,000 (folded text: 万/亿).
NUMBER = re.compile(r"(?<![\d.,a-z])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![a-z\d])\s*(万|亿|千)?")
_UNITS = {"万": 10_000, "亿": 100_000_000, "千": 1_000, None: 1}
_QUOTED = re.compile(r"[「《『]([^「」《》『』]{2,16})[」》』]")

jieba.setLogLevel(logging.WARNING)


@cache
def _tokenizer() -> jieba.Tokenizer:
    """One jieba dictionary per process (about 50 MB and half a second to load), shared by
    every index; terms taught to it are data terms, so sharing them is harmless."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


class Segmenter:
    """jieba (the process's own tokenizer, not jieba's global one) plus the user terms taught for
    one index."""

    def __init__(self, user_terms: Iterable[str] = ()) -> None:
        self._jieba = _tokenizer()
        self.user_terms: set[str] = set()
        self.add_terms(user_terms)

    @classmethod
    def restored(cls, user_terms: Iterable[str], tokenizer: jieba.Tokenizer) -> Segmenter:
        """A segmenter over a tokenizer that already knows `user_terms` (a saved index's)."""
        segmenter = cls.__new__(cls)
        segmenter._jieba = tokenizer
        segmenter.user_terms = set(user_terms)
        return segmenter

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        """The jieba tokenizer in use (its word frequencies are saved with an index)."""
        return self._jieba

    def add_terms(self, terms: Iterable[str]) -> None:
        """Teach jieba whole terms (folded) so that it does not split them."""
        for term in terms:
            folded = fold_text(term).strip()
            if len(folded) >= 2 and _CJK_RUN.fullmatch(folded) and folded not in self.user_terms:
                self.user_terms.add(folded)
                if folded not in self._jieba.FREQ or not self._jieba.FREQ[folded]:
                    self._jieba.add_word(folded, freq=max(2000, 200 * len(folded)))

    def words(self, folded: str, *, for_index: bool = False) -> list[str]:
        """Words of folded text: jieba words (search mode adds sub-words for the index) and
        Latin words/numbers (thousands separators dropped)."""
        tokens: list[str] = []
        for run in _CJK_RUN.findall(folded):
            cut = self._jieba.cut_for_search(run) if for_index else self._jieba.cut(run)
            tokens.extend(token for token in cut if token.strip())
        tokens.extend(token.replace(",", "") for token in _LATIN_TOKEN.findall(folded))
        return tokens


def grams(folded: str) -> Iterator[str]:
    """Character bigrams of each Chinese run (a one-character run yields itself)."""
    for run in _CJK_RUN.findall(folded):
        if len(run) == 1:
            yield run
        for index in range(len(run) - 1):
            yield run[index : index + 2]


def cjk_runs(folded: str) -> list[str]:
    """The runs of Chinese characters in folded text."""
    return _CJK_RUN.findall(folded)


def chars(folded: str) -> Iterator[str]:
    """Single Chinese characters (for one-character queries such as 氫)."""
    for run in _CJK_RUN.findall(folded):
        yield from run


def number_value(match: re.Match[str]) -> str:
    """The canonical value of a NUMBER match: "3,000 万" and "30000000" both give "30000000"."""
    whole, fraction, unit = match.group(1).replace(",", ""), match.group(2) or "", match.group(3)
    value = (int(whole) + (float(fraction) if fraction else 0.0)) * _UNITS[unit]
    return str(int(value)) if value == int(value) else f"{value:g}"


def numbers(folded: str) -> Iterator[str]:
    """Canonical values of the figures in folded text."""
    for match in NUMBER.finditer(folded):
        yield number_value(match)


def quoted_terms(text: str) -> set[str]:
    """Terms the documents quote as names: 「…」, 《…》, 『…』."""
    return {match.group(1).strip() for match in _QUOTED.finditer(text)}


def is_cjk(text: str) -> bool:
    """True when the text is one run of Chinese characters."""
    return bool(_CJK_RUN.fullmatch(text))


def sound_keys(word: str) -> list[str]:
    """Every toneless Mandarin reading of a short word ("还" reads hai or huan)."""
    from pypinyin import Style, pinyin  # its phrase dictionary takes 0.3 s to import: on use

    readings = pinyin(word, style=Style.NORMAL, heteronym=True, errors="ignore")
    keys = [""]
    for options in readings:
        keys = [f"{key} {option}".strip() for key in keys for option in options[:3]]
    return keys if len(readings) == len(word) else []
