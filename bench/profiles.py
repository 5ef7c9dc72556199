"""Reading a replica's pyinstrument session (bench.load --profiler pyinstrument): the steady
state only, where its time goes.

pyinstrument samples the main thread's wall time from start to exit. Start-up (imports, the
index, post_init) and shutdown would swamp a short load step, so only samples taken inside the
event loop's callbacks are kept, minus the main task (`serve`: post_init, set_webhook, stop).
What is left is the handling of webhook requests and updates, plus the loop's idle poll, shown
apart. Worker threads (the update claim runs in one) are not sampled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

GROUPS = (  # (label, path fragment), first match wins; by the frame's own file
    ("sqlalchemy + sqlite/psycopg", "/sqlalchemy/"),
    ("sqlalchemy + sqlite/psycopg", "sqlite3"),
    ("sqlalchemy + sqlite/psycopg", "/psycopg"),
    ("telegram (PTB)", "/telegram/"),
    ("httpx + httpcore + anyio", "/httpx/"),
    ("httpx + httpcore + anyio", "/httpcore/"),
    ("httpx + httpcore + anyio", "/anyio/"),
    ("httpx + httpcore + anyio", "/h11/"),
    ("aiohttp (Bot API calls)", "/aiohttp/"),
    ("aiohttp (Bot API calls)", "/yarl/"),
    ("aiohttp (Bot API calls)", "/multidict/"),
    ("asyncio", "/uvloop/"),
    ("starlette + uvicorn", "/starlette/"),
    ("starlette + uvicorn", "/uvicorn/"),
    ("bot.search", "/bot/search/"),
    ("bot.ui", "/bot/ui/"),
    ("bot.store", "/bot/store/"),
    ("handlers", "/handlers/"),
    ("logging", "/logging/"),
    ("json", "/json/"),
    ("asyncio", "/asyncio/"),
)


def _busy_leaves(
    frame: object, in_loop: bool = False, caller: str = ""
) -> Iterator[tuple[object, str, float]]:
    """(frame, file it is charged to, self time) of every sample in the event loop's callbacks
    outside `serve`; a built-in (no file of its own) is charged to its caller's file."""
    function = getattr(frame, "function", "")
    path = getattr(frame, "file_path", "") or ""
    if not path or path.startswith("<"):
        path = caller
    if (function, path.rsplit("/", 1)[-1]) in (
        ("serve", "webhook.py"),
        ("check_telegram", "startup_errors.py"),
    ):
        return
    in_loop = in_loop or function == "_run"  # asyncio.events.Handle._run: one callback
    # pyinstrument puts a frame's own time in synthetic children ([self], [await]): counted here
    children = [child for child in getattr(frame, "children", []) if not child.is_synthetic]
    own = getattr(frame, "time", 0.0) - sum(getattr(child, "time", 0.0) for child in children)
    if in_loop and own > 0:
        yield frame, path, own
    # uvloop runs the loop in C: its callbacks are the Python children of asyncio.Runner.run
    # (asyncio's own loop shows there as run_until_complete, whose callbacks are Handle._run)
    callbacks = _is_runner(frame)
    for child in children:
        child_in_loop = in_loop or (
            callbacks and child.function not in ("run_until_complete", "run", "__exit__")
        )
        yield from _busy_leaves(child, child_in_loop, path)


def _is_runner(frame: object) -> bool:
    path = getattr(frame, "file_path", "") or ""
    return getattr(frame, "function", "") == "run" and path.endswith("asyncio/runners.py")


def _idle(frame: object) -> float:
    """Time in the loop's poll for I/O (the selector's `select`; with uvloop, everything its C
    loop does outside Python callbacks, the poll included)."""
    if getattr(frame, "function", "") == "select" and "selectors" in (
        getattr(frame, "file_path", "") or ""
    ):
        return float(getattr(frame, "time", 0.0))
    children = getattr(frame, "children", [])
    own = 0.0
    if _is_runner(frame):
        own = sum(getattr(child, "time", 0.0) for child in children if child.is_synthetic)
    return own + sum(_idle(child) for child in children)


def describe(path: Path, top: int = 25) -> str:
    """Top functions by own time in the steady state, and the same time by library."""
    from pyinstrument.session import Session  # bench extra: only needed to read a session

    root = Session.load(path).root_frame()
    if root is None:
        return f"{path.name}: no samples"
    own: defaultdict[str, float] = defaultdict(float)
    groups: defaultdict[str, float] = defaultdict(float)
    for frame, file_path, seconds in _busy_leaves(root):
        name = getattr(frame, "function", "?")
        where = f"{file_path.split('site-packages/')[-1]}:{name}"
        own[where] += seconds
        label = next((label for label, part in GROUPS if part in file_path), "other")
        if name == "lock.acquire" and file_path.endswith("threading.py"):
            label = "waiting on a thread (the query's embedding, bot.search.semantic)"
        groups[label] += seconds
    busy = sum(own.values())
    lines = [
        f"{path.name}: {busy:.2f} s busy in update handling, {_idle(root):.2f} s idle in the loop"
    ]
    waiting = sum(seconds for label, seconds in groups.items() if label.startswith("waiting"))
    working = busy - waiting or 1.0
    lines.append("  by library (share of busy time; share of busy time less thread waits):")
    for label, seconds in sorted(groups.items(), key=lambda item: -item[1]):
        apart = "" if label.startswith("waiting") else f"  {100 * seconds / working:5.1f} %"
        lines.append(f"    {100 * seconds / busy:5.1f} %{apart}  {label}")
    lines.append(f"  top {top} functions by own time (share of busy time):")
    for where, seconds in sorted(own.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"    {100 * seconds / busy:5.1f} %  {where}")
    return "\n".join(lines)
