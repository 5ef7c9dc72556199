"""Route a ``RawCall`` to its handler and log it: validation, scripted failures, answers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

from .call import RawCall
from .context import Answer, Context, Handler
from .errors import ApiError
from .methods import HANDLERS
from .spec import validate_call


@dataclass
class LoggedRequest:
    """One call as the fake saw it: decoded parameters (raw ones if they did not validate)."""

    method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float

    @property
    def dropped(self) -> bool:
        """Whether the connection was closed without an answer (before the call was run)."""
        return self.status == 0

    @property
    def ok(self) -> bool:
        """Whether Telegram would have answered ``ok: true``."""
        return self.status == 200

    @property
    def description(self) -> str | None:
        """The error description (or the success description, if any)."""
        return self.response.get("description")


class Dispatcher:
    """Validates, runs and logs calls; wakes waiters after each one."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.handlers: dict[str, Handler] = dict(HANDLERS)
        self.log: list[LoggedRequest] = []
        self._changed = asyncio.Event()

    def notify(self) -> None:
        """Wake everything waiting in ``wait_changed``."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, seconds: float) -> None:
        """Wait until the next call or pushed update (or ``seconds``)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    async def dispatch(self, call: RawCall) -> tuple[int, dict[str, Any]]:
        """Answer one call: ``(HTTP status, JSON body)``."""
        method, params = call.method, loggable(call)
        try:
            method = self.ctx.state.spec.method_name(call.method)
            params = validate_call(call, self.ctx.state.spec)
            failure = self.ctx.faults.take_failure(method)
            if failure is not None:
                raise failure
            answer = await self._run(method, params)
        except ApiError as error:
            status, body = error.code, error.body()
        else:
            status, body = 200, {"ok": True, "result": answer.result}
            if answer.description:
                body["description"] = answer.description
        self.record(method, params, status, body)
        return status, body

    def record(
        self, method: str, params: dict[str, Any], status: int, body: dict[str, Any]
    ) -> None:
        """Log a call (status 0: its connection was dropped unanswered) and wake waiters."""
        self.log.append(LoggedRequest(method, params, status, body, time.time()))
        self.notify()

    async def _run(self, method: str, params: dict[str, Any]) -> Answer:
        if method == "getUpdates":
            return Answer(await self._get_updates(params))
        handler = self.handlers.get(method)
        if handler is None:
            raise ApiError(
                501, f"Not Implemented: the fake Bot API has no handler for {method}", raw=True
            )
        result = handler(self.ctx, params)
        return result if isinstance(result, Answer) else Answer(result)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.ctx.state.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
                raw=True,
            )
        queue = self.ctx.state.updates
        queue.set_allowed(params.get("allowed_updates"))
        return await queue.get(
            int(params.get("offset", 0)),
            int(params.get("limit", 100)),
            int(params.get("timeout", 0)),
        )


def loggable(call: RawCall) -> dict[str, Any]:
    files: dict[str, Any] = dict(call.files)
    return {**call.args, **files}
