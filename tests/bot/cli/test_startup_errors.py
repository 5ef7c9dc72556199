"""Misconfigurations a deployment meets at start, as real `python -m bot` processes: a token
Telegram rejects, a store that cannot be opened, a Bot API that cannot be reached. Each ends in
one line that names the variable and says what to do, exit code 2, no traceback, and the token
appears nowhere in the output. Only 127.0.0.1 is ever contacted (and the resolver, for a name
that cannot exist)."""

from __future__ import annotations

import io
import logging
import socket
from pathlib import Path

import pytest

from bot.core.log import setup_logging
from tests.bot_process import BotProcess, bot_environment, free_port
from tests.fake_bot_api import FakeBotAPI

# The right shape, but not the fake Bot API's token: it answers 401 as Telegram does.
REJECTED_TOKEN = "987654321:AAFakeRejectedTokenRejectedToken_12345"
TELEGRAM_COMMANDS = (["run"], ["webhook"], ["digest", "send-due"])
STORE_COMMANDS = (["migrate"], ["ingest"], *TELEGRAM_COMMANDS)


def _closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/bot"


async def _run(args: list[str], env: dict[str, str], log_dir: Path) -> tuple[int, str, str]:
    name = "-".join(args)
    process = await BotProcess.start(args, env, log_dir, name)
    code = await process.wait(60)
    return code, process.stdout, process.stderr


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr[-3000:]
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("args", TELEGRAM_COMMANDS, ids=" ".join)
async def test_rejected_token_is_one_line_without_the_token(
    fake_bot_api: FakeBotAPI, tmp_path: Path, args: list[str]
) -> None:
    env = bot_environment(
        REJECTED_TOKEN,
        fake_bot_api.base_url,
        f"sqlite:///{tmp_path / 'bot.store.db'}",
        WEBHOOK_URL="https://bot.example.org",
        PORT=str(free_port()),
    )
    code, stdout, stderr = await _run(args, env, tmp_path)
    assert REJECTED_TOKEN not in stdout + stderr
    assert REJECTED_TOKEN.split(":")[1] not in stdout + stderr
    assert code == 2, stderr[-3000:]
    assert "BOT_TOKEN" in _one_line(stderr)


@pytest.mark.parametrize("args", TELEGRAM_COMMANDS, ids=" ".join)
async def test_unreachable_bot_api_is_one_line(tmp_path: Path, args: list[str]) -> None:
    env = bot_environment(
        REJECTED_TOKEN,
        _closed_port_url(),
        f"sqlite:///{tmp_path / 'bot.store.db'}",
        WEBHOOK_URL="https://bot.example.org",
        PORT=str(free_port()),
    )
    code, stdout, stderr = await _run(args, env, tmp_path)
    assert code == 2, stderr[-3000:]
    assert "TELEGRAM_BASE_URL" in _one_line(stderr)
    assert REJECTED_TOKEN not in stdout + stderr


def _postgres_running() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", 5432)) == 0


STORES = {
    "unsupported-scheme": ("mysql://user@127.0.0.1/bot", "sqlite:///bot.store.db"),
    "sqlite-missing-folder": ("sqlite:///{tmp}/no/such/folder/bot.store.db", "folder"),
    "postgres-refused": ("postgresql://postgres@127.0.0.1:{port}/bot", "refuses connections"),
    "postgres-missing-db": (
        "postgresql://postgres@127.0.0.1:5432/no_such_db_h17",
        "does not exist",
    ),
    "bad-host": ("postgresql://postgres:secretpw@nosuchhost.invalid:5432/bot", "nosuchhost"),
}


@pytest.mark.parametrize("args", STORE_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("case", list(STORES))
async def test_store_that_cannot_be_opened_is_one_line(
    tmp_path: Path, case: str, args: list[str]
) -> None:
    if case == "postgres-missing-db" and not _postgres_running():
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    url, expected = STORES[case]
    url = url.format(tmp=tmp_path, port=free_port())
    env = bot_environment(
        REJECTED_TOKEN,
        _closed_port_url(),  # if Telegram were reached first, the message would say so
        url,
        WEBHOOK_URL="https://bot.example.org",
        PORT=str(free_port()),
    )
    code, stdout, stderr = await _run(args, env, tmp_path)
    assert code == 2, stderr[-3000:]
    line = _one_line(stderr)
    assert "DATABASE_URL" in line and expected in line
    assert "secretpw" not in stdout + stderr


def test_formatter_redacts_tracebacks_and_stacks() -> None:
    token = REJECTED_TOKEN
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    setup_logging("INFO", secrets=[token])
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        raise RuntimeError(f"The token `{token}` was rejected by the server.")
    except RuntimeError:
        logging.getLogger("test.redact").exception("start-up failed", stack_info=True)
    logging.getLogger("test.redact").warning("plain %s", token)
    root.handlers[:], _ = saved
    root.setLevel(saved[1])
    output = stream.getvalue()
    assert "RuntimeError" in output and "Stack (most recent call last)" in output
    assert token not in output
    assert output.count("[REDACTED]") == 2
