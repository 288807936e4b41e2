"""A small HTTP/1.1 load generator on asyncio: keep-alive connections, cookies, CSRF, forms.

Each simulated client is one `Visitor` with its own connection and cookie jar,
like a phone: it loads the form once (which sets the CSRF cookie), then submits
again and again. Written on raw asyncio streams so the generator costs little
of the CPU it shares with the server on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from bench.harness import percentile


class HTTPError(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Visitor:
    """One client: a keep-alive connection to the server and a cookie jar."""

    def __init__(self, base: str, language: str = "ky") -> None:
        parts = urlsplit(base)
        self.base, self.host, self.port = base, parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {"ishenim_lang": language}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
            self._reader = self._writer = None

    async def request(self, method: str, url: str, body: bytes = b"", headers: dict | None = None) -> Response:
        path = urlsplit(urljoin(self.base, url))
        target = path.path + (f"?{path.query}" if path.query else "")
        lines = [
            f"{method} {target} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Accept-Encoding: identity",
            "Connection: keep-alive",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if method != "GET":
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            try:
                self._writer.write(raw)
                response = await self._read(target)
                break
            except (ConnectionError, asyncio.IncompleteReadError, HTTPError):
                await self.close()
                if attempt == 2:
                    raise
        for cookie in response.cookies:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""') or "max-age=0" in rest.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        if response.headers.get("connection", "").lower() == "close":
            await self.close()
        return response

    async def _read(self, url: str) -> Response:
        assert self._reader is not None
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        if not status_line.startswith("HTTP/1."):
            raise HTTPError(status_line)
        status = int(status_line.split()[1])
        headers, cookies = {}, []
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookies.append(value)
            headers[name] = value
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self._reader.readuntil(b"\r\n")
                    break
                body += await self._reader.readexactly(size + 2)
                del body[-2:]
            payload = bytes(body)
        else:
            payload = await self._reader.readexactly(int(headers.get("content-length", "0")))
        return Response(status, headers, cookies, payload, url)

    async def get(self, url: str, follow: bool = True) -> Response:
        response = await self.request("GET", url)
        return await self._follow(response) if follow else response

    async def post(self, url: str, fields: dict | list, follow: bool = True) -> Response:
        body = urlencode(fields, doseq=True).encode()
        response = await self.request(
            "POST",
            url,
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": urljoin(self.base, url)},
        )
        return await self._follow(response) if follow else response

    async def _follow(self, response: Response) -> Response:
        for _ in range(5):
            if response.status not in (301, 302, 303) or "location" not in response.headers:
                return response
            response = await self.request("GET", urljoin(response.url, response.headers["location"]))
        return response


# --- forms ------------------------------------------------------------------------


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields, name = self._form["fields"], a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                fields.append((name, a.get("value", "on"), kind, "checked" in a))
            elif kind not in ("submit", "button", "image", "file", "reset"):
                fields.append((name, a.get("value", ""), kind, True))
        elif tag == "select" and name:
            self._select = name
            fields.append((name, None, "select", True))
        elif tag == "option" and self._select:
            # The first option, or the selected one, is what a browser would send.
            for i, (n, v, kind, on) in enumerate(fields):
                if n == self._select and kind == "select" and (v is None or "selected" in a):
                    fields[i] = (n, a.get("value", ""), kind, on)
        elif tag == "textarea" and name:
            self._textarea = name
            fields.append((name, "", "textarea", True))

    def handle_data(self, data):
        if self._textarea and self._form:
            fields = self._form["fields"]
            name, value, kind, on = fields[-1]
            fields[-1] = (name, value + data, kind, on)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_of(html: str, containing: str = "csrfmiddlewaretoken") -> dict:
    """The first POST form holding a field named `containing`: its action and what a browser would send."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form["method"] == "post" and any(n == containing for n, *_ in form["fields"]):
            values = [(n, v or "") for n, v, _kind, on in form["fields"] if on]
            return {"action": form["action"], "fields": values, "choices": _choices(form["fields"])}
    raise HTTPError(f"no POST form with {containing!r} on the page")


def _choices(fields) -> dict[str, list[str]]:
    choices: dict[str, list[str]] = {}
    for name, value, kind, _on in fields:
        if kind in ("radio", "checkbox"):
            choices.setdefault(name, []).append(value)
    return choices


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise HTTPError("no CSRF token on the page")
    return match.group(1)


def fill(form: dict, values: dict) -> list[tuple[str, str]]:
    """The form's own fields (CSRF token, hidden fields, defaults) with `values` put in."""
    kept = [(n, v) for n, v in form["fields"] if n not in values]
    for name, value in values.items():
        for one in value if isinstance(value, list | tuple) else [value]:
            if one is not None:
                kept.append((name, str(one)))
    return kept


# --- load -------------------------------------------------------------------------


@dataclass
class Load:
    """What a run of closed-loop clients measured."""

    label: str
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def ms(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000


Step = Callable[[Visitor], Awaitable[bool | str]]


async def closed_loop(
    base: str,
    *,
    label: str,
    clients: int,
    seconds: float,
    warmup: float,
    prepare: Callable[[Visitor, int], Awaitable[object]],
    step: Callable[[Visitor, object], Awaitable[bool | str]],
    max_requests: int | None = None,
) -> Load:
    """`clients` visitors each repeat `step` as fast as answers come back (no think time).

    `prepare` runs once per visitor before the clock starts (e.g. load the form).
    A step returns True when the answer was right, or a string saying what was wrong.
    Latencies during the first `warmup` seconds are not counted.
    """
    load = Load(label, clients, seconds)
    visitors = [Visitor(base) for _ in range(clients)]
    states = await asyncio.gather(*(prepare(v, i) for i, v in enumerate(visitors)))
    started = time.perf_counter()
    counting_from, stop_at = started + warmup, started + warmup + seconds
    budget = [max_requests]

    async def client(visitor: Visitor, state: object) -> None:
        while time.perf_counter() < stop_at:
            if budget[0] is not None:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            t0 = time.perf_counter()
            try:
                outcome = await step(visitor, state)
            except (OSError, asyncio.IncompleteReadError, HTTPError) as exc:
                outcome = f"{type(exc).__name__}: {exc}"
                await visitor.close()
            t1 = time.perf_counter()
            if t0 < counting_from:
                continue
            if outcome is True:
                load.latencies.append(t1 - t0)
            else:
                load.errors += 1
                load.first_error = load.first_error or str(outcome)[:300]

    await asyncio.gather(*(client(v, s) for v, s in zip(visitors, states, strict=True)))
    load.seconds = max(min(time.perf_counter(), stop_at) - counting_from, 1e-9)
    await asyncio.gather(*(v.close() for v in visitors))
    return load


async def open_loop(
    base: str,
    *,
    label: str,
    rate: float,
    seconds: float,
    pool: int,
    prepare: Callable[[Visitor, int], Awaitable[object]],
    step: Callable[[Visitor, object], Awaitable[bool | str]],
) -> Load:
    """Requests start at a steady `rate` per second, whatever the answers do (open loop).

    Latency is counted from the planned start, so a server that falls behind
    shows it (no coordinated omission). `pool` visitors take turns; an arrival
    that finds none free waits for one, and that wait counts.
    """
    load = Load(label, pool, seconds)
    visitors = [Visitor(base) for _ in range(pool)]
    states = await asyncio.gather(*(prepare(v, i) for i, v in enumerate(visitors)))
    free: asyncio.Queue = asyncio.Queue()
    for pair in zip(visitors, states, strict=True):
        free.put_nowait(pair)
    started = time.perf_counter()
    total = max(1, int(rate * seconds))

    async def arrival(k: int) -> None:
        planned = started + k / rate
        await asyncio.sleep(max(0.0, planned - time.perf_counter()))
        visitor, state = await free.get()
        try:
            outcome = await step(visitor, state)
        except (OSError, asyncio.IncompleteReadError, HTTPError) as exc:
            outcome = f"{type(exc).__name__}: {exc}"
            await visitor.close()
        finally:
            free.put_nowait((visitor, state))
        if outcome is True:
            load.latencies.append(time.perf_counter() - planned)
        else:
            load.errors += 1
            load.first_error = load.first_error or str(outcome)[:300]

    await asyncio.gather(*(arrival(k) for k in range(total)))
    load.seconds = time.perf_counter() - started
    await asyncio.gather(*(v.close() for v in visitors))
    return load


async def staff_login(visitor: Visitor, username: str, password: str, totp_seed: str = "") -> None:
    """Log in through the login form (which unlocks the keyring), with the app code when asked for one."""
    page = await visitor.get("/accounts/login/")
    form = form_of(page.text, containing="password")
    response = await visitor.post(form["action"] or page.url, fill(form, {"username": username, "password": password}))
    for _attempt in range(3):
        if "/accounts/login/code/" not in response.url:
            break
        import pyotp

        code_form = form_of(response.text, containing="code")
        totp = pyotp.TOTP(totp_seed)
        response = await visitor.post(code_form["action"] or response.url, fill(code_form, {"code": totp.now()}))
        if "/accounts/login/code/" in response.url:
            # The code of this 30-second step was used already (by an earlier run): wait for the next.
            await asyncio.sleep(30 - time.time() % 30 + 1)
    if "sessionid" not in visitor.cookies or "/accounts/login/" in response.url:
        raise HTTPError(f"could not log in as {username}: {response.status} at {response.url}")
