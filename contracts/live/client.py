"""An HTTP client for a Truto-shaped API: retries with backoff and jitter, 429s after `Retry-After`,
pacing by rate-limit headers, an outage breaker, and a hard bound on every request's time and size.

It never raises for what the server does: every call returns a `Fetched` holding either a response
or the reason there is none (a `Failure`, `contracts.live.fetched`); how often it tries again is a
`RetryPolicy` (`contracts.live.retry`), and the settings it is built from a `Connection`
(`contracts.live.connection`). A request this side cannot even send (an illegal header,
a bad URL) is never retried: it raises `LocalRequestError`, and the caller stops the run as a usage
error.

Bounds: `timeout` is the whole of one attempt, connect to last byte (`contracts.live.transport`);
a body is read streamed and decompressed here, at most `max_body` bytes after decompression; waits
(backoff, `Retry-After`, `ratelimit-*`) are capped by what is left of the retry budget, and a longer
one is not made: the request errors naming it. A wait over `ANNOUNCE_SECONDS` is said in one line.
A `Stop` (signal or run deadline) ends waits and reads within a fraction of a second.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from functools import partial
from typing import Any

import httpx

from contracts.live.body import DEFAULT_MAX_BODY, Inflate, TooLarge, other_page, size_text
from contracts.live.breaker import AVAILABILITY_STATUSES, Breaker, Turn
from contracts.live.clock import SYSTEM_CLOCK, Clock, Stop, StopReason
from contracts.live.fetched import STOPPED, Failure, Fetched, LocalRequestError, describe
from contracts.live.masking import mask_bytes, mask_text
from contracts.live.pacing import Pacer, Permit, TooLong
from contracts.live.retry import RetryPolicy, retry_after
from contracts.live.transport import Limit, deadline_transport, limited

LOCAL_ERRORS: tuple[type[Exception], ...] = (
    httpx.LocalProtocolError,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
    UnicodeEncodeError,
)
"""Raised before anything is sent: trying again cannot help."""
ANNOUNCE_SECONDS = 2.0
"""A wait longer than this is said on stderr (what, how long, why)."""


@dataclass
class ApiClient:
    """GETs against `base_url` with the token as a bearer header; see the module docstring."""

    base_url: str
    token: str = field(repr=False)
    timeout: float = 15.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    pacer: Pacer | None = None
    clock: Clock = SYSTEM_CLOCK
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    transport: httpx.BaseTransport | None = None
    max_body: int = DEFAULT_MAX_BODY
    stop: Stop | None = None
    say: Callable[[str], None] | None = None
    breaker: Breaker | None = None
    health: str | None = None
    """The request the breaker probes with: the run's first that answered (None: each its own)."""
    http: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.stop is None:
            self.stop = Stop(self.clock)
        if self.breaker is None:
            self.breaker = Breaker(self.clock, self.retry.budget, backoff=self.retry.backoff,
                                   max_backoff=self.retry.max_backoff)  # fmt: skip
        try:
            self.http = self._client()
        except LOCAL_ERRORS as exc:
            raise LocalRequestError(f"the token cannot be sent as an HTTP header ({type(exc).__name__})") from None

    def _client(self) -> httpx.Client:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        transport = self.transport if self.transport is not None else deadline_transport(self.base_url, limits)
        return httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                "Accept-Encoding": "gzip, deflate",
            },
            timeout=self.timeout,
            # Certificates are loaded only for https (verified); loading them for http costs 0.1 s.
            verify=self.base_url.startswith("https://"),
            transport=transport,
            limits=limits,
            follow_redirects=False,  # the token never goes to another host
        )

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def url(self, target: str) -> str:
        return f"{self.base_url}{target}"

    @property
    def notes(self) -> list[str]:
        """What the client noticed once for the whole run (unreadable rate-limit headers)."""
        unreadable = self.pacer.unreadable if self.pacer is not None else {}
        return [f"the API's {name} header was unreadable ({value!r}) and was ignored" for name, value in
                sorted(unreadable.items())]  # fmt: skip

    def _announce(self, seconds: float, what: str, why: str) -> None:
        if self.say is not None and seconds > ANNOUNCE_SECONDS:
            self.say(f"waiting {seconds:.1f} s before {what}: {why}")

    def get(self, target: str, *, account: str | None = None, probe: bool = False) -> Fetched:
        """GET `target` (path and query), paced for `account`, retried as the policy says. `probe`:
        a run's first request, outside the breaker (a dead URL is a configuration mistake)."""
        stop, breaker = self.stop, self.breaker
        assert stop is not None and breaker is not None
        started = self.clock.now()
        out = Fetched(self.url(target), started=started)
        held, tries, garbled_tries = 0.0, 0, 0
        what = f"GET {target.split('?')[0]}" + (f" (account {account})" if account else "")
        while True:
            if stop.reason is not None:
                return self._stopped(out, stop.reason, started)
            turn = Turn.SEND
            if not probe:
                waited_from = self.clock.now()
                turn, outage = breaker.turn(stop, target)
                held += self.clock.now() - waited_from
                out.outage = outage or out.outage
                if turn is Turn.STOPPED:
                    continue
                if turn is Turn.REFUSED and outage is not None:
                    when = outage.started_at.astimezone(UTC).strftime("%H:%M:%S")
                    out.response, out.failure = None, Failure.OUTAGE
                    out.error = (f"not sent: the API has not answered since {when} UTC ({outage.cause}); the "
                                 f"outage outlasted --retry-budget {self.retry.budget:g} s")  # fmt: skip
                    break
            left = self.retry.budget - (self.clock.now() - started - held)
            paced, permit = self._pace(out, account, min(left, stop.left()), what)
            if not paced:
                if stop.reason is not None:
                    continue
                break
            if turn is Turn.PROBE and self.health is not None:
                failed = self._attempt(self.health, Fetched(self.url(self.health), started=out.started), permit)
                if failed is not None:
                    breaker.failed(failed, turn)
                else:
                    breaker.answered(turn)
                continue
            out.attempts += 1
            failed = self._attempt(target, out, permit)
            if probe and self.health is None and out.status is not None and out.status < 500:
                self.health = target
            if failed is not None:
                breaker.failed(failed, turn)
                if breaker.is_open and not probe:
                    continue  # in an outage the breaker paces the tries, not --retries
            elif stop.reason is None:
                breaker.answered(turn)
            wait = self._retry_wait(out, garbled_tries)
            if wait is None:
                break
            garbled_tries += out.garbled
            tries += 1
            spent = self.clock.now() - started - held
            if out.response is not None and out.status == 429:
                why = f"HTTP 429, Retry-After: {out.response.headers.get('retry-after', '(none)')}"
                if spent + wait > self.retry.budget:
                    if self.pacer is not None:
                        self.pacer.block(account, wait, why)
                    out.failure = Failure.RATE_LIMIT
                    out.error = (f"HTTP 429 asks to wait {wait:.0f} s ({why}), more than the "
                                 f"{max(self.retry.budget - spent, 0):.0f} s left of --retry-budget")  # fmt: skip
                    break
                if tries > self.retry.retries:
                    break
                out.rate_limit_wait += wait
                if self.pacer is not None:
                    self.pacer.block(account, wait, why)
                self._announce(wait, what, why)
            elif tries > self.retry.retries or spent + wait > self.retry.budget:
                break
            else:
                self._announce(wait, what, f"backoff after {out.error or f'HTTP {out.status}'}")
            stop.sleep(wait)
        out.seconds = self.clock.now() - started
        return out

    def _stopped(self, out: Fetched, reason: StopReason, started: float) -> Fetched:
        out.response, out.failure, out.garbled = None, STOPPED[reason], False
        out.connect_failed = False  # stopped, perhaps while retrying a dead port: not "cannot reach"
        out.error = "interrupted" if reason is StopReason.INTERRUPTED else "not run: deadline"
        out.seconds = self.clock.now() - started
        return out

    def _pace(self, out: Fetched, account: str | None, left: float, what: str) -> tuple[bool, Permit | None]:
        """Wait for the rate limit; (False, None) when the wait is not made (beyond `left`, or stopped)."""
        if self.pacer is None:
            return True, None
        assert self.stop is not None
        permit = self.pacer.acquire(account, limit=max(left, 0.0), sleep=self.stop.sleep,
                                    announce=lambda s, why: self._announce(s, what, why))  # fmt: skip
        if permit is None:
            return False, None
        if isinstance(permit, TooLong):
            out.response, out.failure = None, Failure.RATE_LIMIT
            out.error = (f"the rate limit asks to wait {permit.seconds:.0f} s ({permit.why}), more than the "
                         f"{max(left, 0):.0f} s left of --retry-budget; nothing more is sent for this "
                         "account")  # fmt: skip
            return False, None
        out.rate_limit_wait += permit.waited
        return True, permit

    def _attempt(self, target: str, out: Fetched, permit: Permit | None) -> str | None:
        """One attempt: fills `out`; the cause when it was an availability failure (no answer, 502/503/504)."""
        assert self.stop is not None
        response: httpx.Response | None = None
        out.garbled, out._parsed = False, None
        window = min(self.timeout, self.stop.left())
        try:
            with limited(Limit(time.monotonic() + window, self.stop.event)):
                response = self._send(target, window, out)
        except LOCAL_ERRORS as exc:  # its text may quote the Authorization header: left out
            raise LocalRequestError(
                f"a request to {self.base_url} could not be sent ({type(exc).__name__}: refused by the HTTP "
                "client before anything was sent; check the token and --base-url)"
            ) from None
        except TooLarge:
            out.response, out.failure = None, Failure.TOO_LARGE
            out.error = f"response too large (> {size_text(self.max_body)}, --max-body)"
            return None
        except (httpx.HTTPError, httpx.StreamError) as exc:
            if self.stop.reason is not None:
                self._stopped(out, self.stop.reason, out.started)
                return None
            out.response = None
            out.error, out.failure = describe(exc, self.timeout)
            out.connect_failed = out.failure is Failure.CONNECT
            return out.error
        finally:
            if permit is not None and self.pacer is not None:
                self.pacer.release(permit, response.headers if response is not None else None)
        out.response, out.error, out.failure, out.connect_failed = response, None, None, False
        if response.status_code in AVAILABILITY_STATUSES:
            return f"HTTP {response.status_code}"
        return None

    def _send(self, target: str, window: float, out: Fetched) -> httpx.Response:
        """GET `target` and read its body streamed, decoded, within `window` seconds and `max_body`."""
        until = time.monotonic() + window
        with self.http.stream("GET", target) as streamed:
            # The token masked in what the server sent before anything reads it: every later cut (a
            # snippet, a Location, a not-JSON message) is of masked text, so it never keeps part of it.
            mask = partial(mask_text, secret=self.token)
            if streamed.is_stream_consumed:  # an in-memory transport's answer, already read and decoded
                chunks, inflate = iter([streamed.content]), Inflate("identity")
            else:
                chunks, inflate = streamed.iter_raw(), Inflate(mask(streamed.headers.get("content-encoding", "")))
            body = bytearray()
            try:
                for chunk in chunks:
                    body += inflate.feed(chunk, self.max_body - len(body))
                    if len(body) > self.max_body:
                        raise TooLarge
                    if time.monotonic() > until:
                        raise httpx.ReadTimeout("the request's deadline passed")
            except (httpx.RemoteProtocolError, httpx.DecodingError) as exc:
                if streamed.status_code != 200:
                    raise
                out.garbled = True  # cut short: what arrived is judged (twice in a row: not JSON)
                out.error = f"the body was cut short ({exc})"
            headers = [(k, mask(v)) for k, v in streamed.headers.multi_items()
                       if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]  # fmt: skip
            return httpx.Response(streamed.status_code, headers=headers, content=mask_bytes(bytes(body), self.token),
                                  request=streamed.request)  # fmt: skip

    def _retry_wait(self, out: Fetched, garbled_tries: int) -> float | None:
        """Seconds to wait before trying again, or None when the answer is final."""
        response = out.response
        if out.failure in (Failure.TIMEOUT, Failure.TOO_LARGE, Failure.RATE_LIMIT, Failure.INTERRUPTED,
                           Failure.DEADLINE, Failure.OUTAGE):  # fmt: skip
            return None  # a slow or huge answer again would cost as much again
        if response is None or response.status_code >= 500:
            return self.retry.delay(out.attempts, self.rng)
        if response.status_code == 429:
            out.throttled += 1
            waited = retry_after(response.headers.get("retry-after"))
            if waited is None and response.headers.get("retry-after") is not None and self.pacer is not None:
                self.pacer.unreadable.setdefault("retry-after", response.headers["retry-after"][:40])
            return waited if waited is not None else self.retry.delay(out.attempts, self.rng)
        if response.status_code == 200:
            out.garbled = self._garbled(out)
            if out.garbled and garbled_tries == 0:  # once: twice in a row, the caller judges it
                return self.retry.delay(out.attempts, self.rng)
        return None

    @staticmethod
    def _garbled(out: Fetched) -> bool:
        """A 200 meant as JSON whose body is not JSON (or was cut short)."""
        if out.garbled:
            return True
        assert out.response is not None
        return not other_page(out.response) and out.json()[1] is not None
