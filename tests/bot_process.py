"""`python -m bot …` as a real subprocess (for shutdown tests and the load benchmark): started
with an explicit environment, signalled, awaited, its output kept."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import httpx
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port that was free on loopback a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(engine: Engine) -> str:
    """The engine's URL as DATABASE_URL (password and options kept)."""
    return engine.url.render_as_string(hide_password=False)


def bot_environment(token: str, base_url: str, database: str, **extra: str) -> dict[str, str]:
    """The environment of a bot process talking to a fake Bot API (nothing inherited but PATH)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "BOT_TOKEN": token,
        "TELEGRAM_BASE_URL": base_url,
        "DATABASE_URL": database,
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    return {**env, **extra}


def _open_outputs(log_dir: Path, name: str) -> tuple[BinaryIO, BinaryIO]:
    log_dir.mkdir(parents=True, exist_ok=True)
    return (log_dir / f"{name}.out").open("wb"), (log_dir / f"{name}.err").open("wb")


@dataclass
class BotProcess:
    """A running `python -m bot` with its output captured to files."""

    process: asyncio.subprocess.Process
    log_dir: Path
    name: str
    port: int | None = None
    _outputs: list[BinaryIO] = field(default_factory=list)

    @classmethod
    async def start(
        cls,
        args: list[str],
        env: dict[str, str],
        log_dir: Path,
        name: str = "bot",
        python_args: Sequence[str] = (),
    ) -> BotProcess:
        """Start `python [PYTHON_ARGS] -m bot ARGS` in the repository root."""
        stdout, stderr = _open_outputs(log_dir, name)
        command = [sys.executable, *python_args, "-m", "bot", *args]
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr
        )
        port = int(env["PORT"]) if "PORT" in env else None
        return cls(process, log_dir, name, port, [stdout, stderr])

    @classmethod
    async def start_webhook(
        cls, token: str, base_url: str, engine: Engine, secret: str, log_dir: Path
    ) -> BotProcess:
        """`python -m bot webhook` on a free loopback port, with this secret and store (its
        `port` says where it listens)."""
        env = bot_environment(
            token,
            base_url,
            database_url(engine),
            WEBHOOK_URL="https://bot.example.org",
            WEBHOOK_SECRET=secret,
            PORT=str(free_port()),
        )
        return await cls.start(["webhook"], env, log_dir, "webhook")

    @property
    def stdout(self) -> str:
        """Everything printed so far."""
        return (self.log_dir / f"{self.name}.out").read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        """Everything logged so far."""
        return (self.log_dir / f"{self.name}.err").read_text(encoding="utf-8", errors="replace")

    async def wait_healthy(self, timeout: float = 90.0) -> None:  # noqa: ASYNC109
        """Poll GET /healthz until 200 (the webhook server is up and the bot initialised)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient() as http:
            while loop.time() < deadline:
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited early:\n{self.stderr[-3000:]}")
                try:
                    answer = await http.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                    if answer.status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise TimeoutError(f"{self.name} not healthy in {timeout} s:\n{self.stderr[-3000:]}")

    def terminate(self) -> None:
        """Send SIGTERM (what a platform sends before stopping a container)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)

    async def wait(self, timeout: float = 60.0) -> int:  # noqa: ASYNC109
        """Wait for the exit code (kill and raise after `timeout`)."""
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise
        finally:
            self.close()

    def close(self) -> None:
        """Close the output files (the process keeps its own copies)."""
        for output in self._outputs:
            output.close()
        self._outputs.clear()

    async def stop(self) -> None:
        """SIGTERM and wait; kill if it hangs (for clean-ups)."""
        if self.process.returncode is None:
            self.terminate()
            with contextlib.suppress(TimeoutError):
                await self.wait(30)
        self.close()
