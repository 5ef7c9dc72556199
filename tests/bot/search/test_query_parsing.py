"""Query parsing does not depend on the order phrases are tried in, nor on the process's hash
seed: every replica, after every restart, reads a question the same way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.lexicon import Lexicon, load_lexicon
from bot.search.normalize import fold_text
from bot.search.query import parse_query, remove_stop_phrases

ROOT = Path(__file__).resolve().parents[3]
LEXICON = load_lexicon()


def test_overlapping_stop_phrases_are_both_cut() -> None:
    # 俾我哋 holds 俾我 and 我哋, both stop phrases: whichever is tried first, none of it is left.
    assert {"俾我", "我哋"} <= set(LEXICON.stop_phrases)
    assert remove_stop_phrases(fold_text("可唔可以俾我哋再申請？"), LEXICON) == "再申请"


@settings(max_examples=60, deadline=None)
@given(
    seed=st.randoms(use_true_random=False),
    text=st.sampled_from(
        [
            "可唔可以俾我哋再申請？",
            "請話俾我知你哋點睇公屋",
            "有冇人提過醫療券呀",
            "我想知道邊個建議減稅",
        ]
    ),
)
def test_stop_phrase_order_does_not_change_what_is_left(seed: object, text: str) -> None:
    phrases = list(LEXICON.stop_phrases)
    seed.shuffle(phrases)  # type: ignore[attr-defined]
    shuffled = replace(Lexicon(), **_fields(LEXICON), stop_phrases=tuple(phrases))
    folded = fold_text(text)
    assert remove_stop_phrases(folded, shuffled) == remove_stop_phrases(folded, LEXICON)


def _fields(lexicon: Lexicon) -> dict[str, object]:
    return {
        "synonyms": lexicon.synonyms,
        "glossary": lexicon.glossary,
        "orgs": lexicon.orgs,
        "areas": lexicon.areas,
        "stop_chars": lexicon.stop_chars,
    }


PARSE_ALL = """
import json, sys
from bot.search.lexicon import load_lexicon
from bot.search.query import parse_query
lexicon = load_lexicon()
queries = json.load(sys.stdin)
print(json.dumps([[parse_query(q, lexicon).text, repr(parse_query(q, lexicon).filters)]
                  for q in queries], ensure_ascii=False))
"""


def _queries() -> list[str]:
    found = []
    relevance = ROOT / "tests" / "relevance"
    for path in sorted(relevance.glob("**/*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(item, dict) and "q" in item:
                found.append(str(item["q"]))
    return found


def _parsed_with_seed(queries: list[str], seed: str) -> list[list[str]]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", PARSE_ALL],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    parsed: list[list[str]] = json.loads(done.stdout)
    return parsed


def test_every_relevance_query_parses_the_same_whatever_the_hash_seed() -> None:
    queries = _queries()
    assert len(queries) > 500
    first = _parsed_with_seed(queries, "1")
    assert first == _parsed_with_seed(queries, "2")
    assert first == _parsed_with_seed(queries, "3")
    in_process = [
        [parse_query(q, LEXICON).text, repr(parse_query(q, LEXICON).filters)] for q in queries
    ]
    assert first == in_process
