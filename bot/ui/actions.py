"""Callback data and deep-link payloads: short, ASCII, versionless prefixes, always ≤ 64 bytes.

Every callback_data and every deep link is built here, and every handler is registered on the
pattern `pattern()` gives for its action name, so the two sides cannot drift apart.

    r:<id>[:<key>]           open a recommendation in full (from the results of saved search <key>)
    fb:<v>:<s>:<t>:<key>:<id>  👍/👎 on recommendation <id> opened from saved search <key>: the
                             vote pressed (u|d), the vote the buttons show (n|u|d) and when that
                             one was stored (base-36 Unix seconds, 0: none)
    rel:<id>                 similar proposals from other organisations
    p:<key>:<page>           a page of a saved search
    n:<key>:<kind>:<v>       narrow a saved search (kind o = organisation code, a = area id)
    u:<key>[:<kind>:<v>]     remove one narrowing filter of a saved search, or all of them
    f:<key>:<page>           a page of a saved search with every narrowing button
    v:<key>:<page>:c|f       the chat's results layout: compact (one line each) or full
    cm:<key>:<org>           /compare: one organisation's proposals on a saved topic in full
    a:<area>:<page>          browse a policy area
    areas                    the list of areas
    l:<lang>                 choose the language
    sub:<step>:…             the subscription picker (steps below), sub:s:<area> one tap
    unsub:<area>|all         unsubscribe from one area or all
    fl:<key>                 follow a saved search as a topic ("🔔 Follow this search")
    fw:x:<id>|all            stop following one topic (by its id) or all
    fw:n:<id>                switch a topic's "notify at once"
    imp:ok|no:<key>          confirm or cancel an admin's document import
    adm:bc:ok|no:<key>       confirm or cancel an admin's broadcast

Deep links (`/start <payload>`): rec_<id> opens a recommendation, q_<key> a saved search; help
(from an inline answer's button) is a plain /start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback_data and /start payloads
_SAFE = re.compile(r"^[A-Za-z0-9_:.\-]+$")
_PAYLOAD = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")

# Action names: the first field of the callback data.
OPEN = "r"
VOTE = "fb"
RELATED = "rel"
PAGE = "p"
NARROW = "n"
UNNARROW = "u"
FACETS = "f"
LAYOUT = "v"
COMPARE_MORE = "cm"
AREA = "a"
AREAS = "areas"
LANGUAGE = "l"
SUBSCRIBE = "sub"
UNSUBSCRIBE = "unsub"
IMPORT = "imp"
FOLLOW = "fl"
FOLLOWING = "fw"
ADMIN = "adm"
_BARE = frozenset({AREAS})  # actions without arguments: the name is the whole callback data

# Fixed arguments.
NARROW_ORG, NARROW_AREA = "o", "a"  # n:<key>:<kind>:<value>
LAYOUT_COMPACT, LAYOUT_FULL = "c", "f"  # v:<key>:<page>:<layout>
CONFIRM, CANCEL = "ok", "no"  # imp:… and adm:bc:…
BROADCAST = "bc"  # adm:bc:…
ALL = "all"  # unsub:all
# The steps of the subscription picker (sub:<step>:…).
SUB_TOGGLE, SUB_NEXT, SUB_EDIT = "t", "next", "edit"
SUB_FREQUENCY, SUB_WEEKDAY, SUB_HOUR, SUB_ONE = "f", "w", "h", "s"
# What fw:<step>:… does to a followed topic.
TOPIC_REMOVE, TOPIC_NOTIFY = "x", "n"

# Votes (fb:…): up, down, and "no vote" for the state the buttons show.
VOTE_UP, VOTE_DOWN, NO_VOTE = "u", "d", "n"
_VOTE_TIME = re.compile(r"^[0-9a-z]{1,7}$")  # base-36 Unix seconds: up to the year 4000

# Deep-link kinds (`<kind>_<value>`).
RECORD_LINK, QUERY_LINK = "rec", "q"
HELP_LINK = "help"  # no value: /start shows the welcome


@dataclass(frozen=True)
class Action:
    """A decoded callback: what to do and its arguments."""

    name: str
    args: tuple[str, ...]


def pattern(name: str, *fixed: str) -> str:
    """The handler pattern for callback data of action `name`, optionally narrowed to the given
    leading arguments (`pattern(ADMIN, BROADCAST)` matches `adm:bc:…`)."""
    head = re.escape(":".join([name, *fixed]))
    return f"^{head}$" if name in _BARE and not fixed else f"^{head}:"


def encode(name: str, *args: object) -> str:
    """`name:arg1:arg2` (raises if it would exceed Telegram's 64 bytes or holds unsafe text)."""
    data = ":".join([name, *(str(arg) for arg in args)])
    if len(data.encode("utf-8")) > CALLBACK_LIMIT or not _SAFE.match(data):
        raise ValueError(f"callback data not encodable: {data!r}")
    return data


def decode(data: str | None) -> Action | None:
    """The action in callback data, or None for anything malformed."""
    if not data or len(data.encode("utf-8")) > CALLBACK_LIMIT or not _SAFE.match(data):
        return None
    name, *args = data.split(":")
    return Action(name, tuple(args))


def open_record(record_id: str, key: str | None = None) -> str:
    """Callback data that opens a recommendation; with the saved search it was found by, when
    that fits (the full view then asks whether it helped)."""
    if key is not None:
        try:
            return encode(OPEN, record_id, key)
        except ValueError:
            pass
    return encode(OPEN, record_id)


@dataclass(frozen=True)
class Vote:
    """A 👍/👎 press: the vote pressed, the vote the buttons showed and when it was stored
    (Unix seconds, 0: none or not stored), the saved search and the recommendation."""

    pressed: str  # VOTE_UP | VOTE_DOWN
    shown: str  # VOTE_UP | VOTE_DOWN | NO_VOTE
    since: int
    key: str
    record_id: str


def vote(pressed: str, shown: str, since: int, key: str, record_id: str) -> str | None:
    """Callback data of a 👍/👎 button, or None when it would not fit in 64 bytes."""
    try:
        return encode(VOTE, pressed, shown, _base36(since), key, record_id)
    except ValueError:
        return None


def parse_vote(action: Action) -> Vote | None:
    """The vote in decoded `fb:` callback data, or None for anything malformed."""
    if action.name != VOTE or len(action.args) < 5:
        return None
    pressed, shown, since, key, *rest = action.args
    record_id = ":".join(rest)
    if (
        pressed not in (VOTE_UP, VOTE_DOWN)
        or shown not in (VOTE_UP, VOTE_DOWN, NO_VOTE)
        or not _VOTE_TIME.match(since)
        or not key
        or not record_id
    ):
        return None
    return Vote(pressed, shown, int(since, 36), key, record_id)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    number = max(number, 0)
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def related_records(record_id: str) -> str:
    """Callback data that lists similar proposals."""
    return encode(RELATED, record_id)


def search_page(key: str, page: int) -> str:
    """Callback data for a page of a saved search."""
    return encode(PAGE, key, page)


def narrow(key: str, kind: str, value: str) -> str:
    """Callback data that narrows a saved search by organisation code or area id."""
    return encode(NARROW, key, kind, value)


def unnarrow(key: str, kind: str | None = None, value: str | None = None) -> str:
    """Callback data that removes one narrowing filter (`kind`, `value`) of a saved search, or
    every one (no `kind`)."""
    return encode(UNNARROW, key) if kind is None else encode(UNNARROW, key, kind, value)


def all_facets(key: str, page: int) -> str:
    """Callback data for a page of a saved search showing every narrowing button."""
    return encode(FACETS, key, page)


def layout(key: str, page: int, compact: bool) -> str:
    """Callback data that sets the chat's results layout and shows the page again."""
    return encode(LAYOUT, key, page, LAYOUT_COMPACT if compact else LAYOUT_FULL)


def compare_more(key: str, org: str) -> str:
    """Callback data that shows one organisation's proposals on a saved /compare topic."""
    return encode(COMPARE_MORE, key, org)


def area_page(area_id: str, page: int) -> str:
    """Callback data for a page of a policy area."""
    return encode(AREA, area_id, page)


def area_list() -> str:
    """Callback data for the list of areas."""
    return encode(AREAS)


def choose_language(language: str) -> str:
    """Callback data that sets the chat's language."""
    return encode(LANGUAGE, language)


def subscribe_step(step: str, *args: object) -> str:
    """Callback data for a step of the subscription picker (`SUB_…`)."""
    return encode(SUBSCRIBE, step, *args)


def unsubscribe(area: str) -> str:
    """Callback data that unsubscribes from one area, or from all of them (`ALL`)."""
    return encode(UNSUBSCRIBE, area)


def follow_search(key: str) -> str:
    """Callback data that follows the saved search `key` as a topic."""
    return encode(FOLLOW, key)


def topic_step(step: str, topic: int | str) -> str:
    """Callback data that removes (`TOPIC_REMOVE`) a followed topic, or every one (`ALL`), or
    switches its "notify at once" (`TOPIC_NOTIFY`)."""
    return encode(FOLLOWING, step, topic)


def import_choice(choice: str, key: str) -> str:
    """Callback data that confirms (`CONFIRM`) or cancels (`CANCEL`) a pending import."""
    return encode(IMPORT, choice, key)


def broadcast_choice(choice: str, key: str) -> str:
    """Callback data that confirms (`CONFIRM`) or cancels (`CANCEL`) a pending broadcast."""
    return encode(ADMIN, BROADCAST, choice, key)


def record_payload(record_id: str) -> str:
    """Deep-link payload for a recommendation (`t.me/<bot>?start=rec_<id>`)."""
    return _payload(RECORD_LINK, record_id)


def query_payload(key: str) -> str:
    """Deep-link payload for a saved search."""
    return _payload(QUERY_LINK, key)


def help_payload() -> str:
    """Deep-link payload that opens the private chat on the welcome."""
    return HELP_LINK


def _payload(kind: str, value: str) -> str:
    payload = f"{kind}_{value}"
    if not _PAYLOAD.match(payload):
        raise ValueError(f"deep-link payload not encodable: {payload!r}")
    return payload


def parse_payload(payload: str | None) -> tuple[str, str] | None:
    """(RECORD_LINK, id) or (QUERY_LINK, key) from a /start payload, or None."""
    if not payload or not _PAYLOAD.match(payload):
        return None
    kind, _, value = payload.partition("_")
    return (kind, value) if kind in (RECORD_LINK, QUERY_LINK) and value else None


def deep_link(bot_username: str, payload: str) -> str:
    """The t.me link that opens a private chat with the bot and sends /start <payload>."""
    return f"https://t.me/{bot_username}?start={payload}"
