"""URL checks as Telegram applies them to link buttons and ``<a href>`` (TDLib ``check_link``).

Accepted: ``http://`` and ``https://`` URLs (the scheme may be omitted) whose host contains a
dot, and ``tg://`` links. Errors read like Telegram's: ``URL 'x' is invalid: Wrong HTTP URL``.
"""

from __future__ import annotations

import re

_TG_USER = re.compile(r"^tg://user\?id=(\d+)$", re.IGNORECASE)
_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_!$,~*'();&+=")


class UrlError(ValueError):
    """The reason a URL is rejected, worded as TDLib words it."""


def link_user_id(url: str) -> int | None:
    """The user id of a ``tg://user?id=N`` link, else None."""
    match = _TG_USER.match(url)
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def check_link(url: str) -> str:
    """The normalized URL, or raise ``UrlError("URL 'x' is invalid: reason")``."""
    try:
        return _check(url)
    except UrlError as error:
        raise UrlError(f"URL '{url}' is invalid: {error}") from None


def _check(link: str) -> str:
    lowered = link.lower()
    if lowered.startswith("tg:"):
        return _check_tg(link[3:].removeprefix("//"))
    scheme, _, rest = link.partition("://")
    if not rest and "://" not in link:
        scheme, rest = "http", link
    scheme = scheme.lower()
    if scheme not in ("http", "https"):
        raise UrlError("Unsupported URL protocol")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    path = rest[len(authority) :] or "/"
    userinfo, _, host_port = authority.rpartition("@")
    host, port = _split_port(host_port)
    if not host:
        raise UrlError("URL host is empty")
    if host == ".":
        raise UrlError("Host is invalid")
    _check_part(host.lower(), "host", allow_colon=False)
    _check_part(userinfo, "userinfo", allow_colon=True)
    if "." not in host:
        raise UrlError("Wrong HTTP URL")
    if not path.startswith("/"):
        path = "/" + path
    credentials = f"{userinfo}@" if userinfo else ""
    port_part = f":{port}" if port else ""
    return f"{scheme}://{credentials}{host.lower()}{port_part}{path}"


def _split_port(host_port: str) -> tuple[str, int]:
    host, colon, port_text = host_port.rpartition(":")
    if not colon or "]" in port_text:
        return host_port, 0
    port = int(port_text) if port_text.isdigit() else -1
    if not 0 < port <= 65535:
        raise UrlError("Wrong port number specified in the URL")
    return host, port


def _check_part(part: str, name: str, *, allow_colon: bool) -> None:
    index = 0
    while index < len(part):
        char = part[index]
        if char == "%":
            if not re.fullmatch(r"[0-9a-fA-F]{2}", part[index + 1 : index + 3]):
                raise UrlError(f"Wrong percent-encoded symbol in URL {name}")
            index += 3
            continue
        if char not in _SAFE and not (allow_colon and char == ":") and ord(char) < 128:
            raise UrlError(f"Disallowed character in URL {name}")
        index += 1


def _check_tg(rest: str) -> str:
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if not host:
        raise UrlError("URL host is empty")
    if any(not (char.isascii() and (char.isalnum() or char in "-_")) for char in host):
        raise UrlError("Unallowed characters in URL host")
    query = rest[len(host) :]
    if query.startswith("/?"):
        query = query[1:]
    return f"tg://{host.lower()}{query}"
