"""What a test does to the mock through either fixture: script answers, move the clock, read and
assert on the request log. `truto_mock` (`MockHandle`) and `truto_respx` (`TrutoRouter`) both
have these methods, on the one mock they share, so a test reads the same against either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from contracts.params import GET, LIST
from mockserver.clock import MockClock
from mockserver.core import endpoint_of, request_facts
from mockserver.requestlog import READ_TIMEOUT, LoggedRequest, RequestLog
from mockserver.scripts import Interruption, Script, ScriptOptions, When, make_script
from mockserver.state import MockState

INTERRUPTIONS = (*(str(i) for i in Interruption), READ_TIMEOUT)
"""What a logged request's `interrupted` can say (`calls_to(interrupted=...)`)."""
SHOWN = 20
"""Logged requests an assertion message lists (the rest are counted)."""


class ScriptsNotConsumed(AssertionError):
    """Scripts a test added were not all played: the client never sent what the test expected."""


def _query_matches(have: Mapping[str, Any], want: Mapping[str, Any]) -> bool:
    """Every key of `want` is in `have` with an equal value (numbers compare as their text)."""
    for key, value in want.items():
        if key not in have:
            return False
        got = have[key]
        if isinstance(value, bool):
            value = str(value).lower()
        elif isinstance(value, int | float):
            value = str(value)
        if isinstance(value, Mapping) and isinstance(got, Mapping):
            if not _query_matches(got, value):
                return False
        elif isinstance(value, list | tuple) and isinstance(got, list):
            if [str(v) for v in value] != [str(v) for v in got]:
                return False
        elif got != value:
            return False
    return True


def _listing(entries: list[LoggedRequest]) -> str:
    if not entries:
        return "no requests reached the mock since the test started (or its last reset)"
    lines = [f"  {index}. {entry}" for index, entry in enumerate(entries[:SHOWN], 1)]
    if len(entries) > SHOWN:
        lines.append(f"  ... and {len(entries) - SHOWN} more")
    return "the mock got:\n" + "\n".join(lines)


class MockControls:
    """Scripts, clock and request log of the mock behind a fixture (mixed into both fixtures' types)."""

    def _truto_state(self) -> MockState:
        raise NotImplementedError

    def _log(self) -> RequestLog:
        state = self._truto_state()
        if state.log is None:  # a handle made outside the plugin: start logging now
            state.log = RequestLog()
        return state.log

    @property
    def clock(self) -> MockClock:
        """The mock's clock (rate-limit windows read it): `clock.advance(10)` skips ten seconds."""
        return self._truto_state().clock

    def script(self, status: int | None = None, **options: Unpack[ScriptOptions]) -> Script:
        """Answer the next `times` requests matching `when` this way instead of the usual answer, to test
        how your client handles errors, slowness and broken connections.

        Scripts are tried in the order added and cleared by the mock's reset (`fresh()`, `reset()`).

        Args:
            status: an error status (400-599), answered with Truto's body; None or 200: the usual
                answer, with the other arguments applied.
            **options: keywords only, each optional: `times` (how many matching requests it answers,
                default 1); `when` (which requests: a dict of `method`, `path`, `endpoint` (`get`/`list`),
                `account` (id or provider), `page` (from 1), `cursor`, `nth` (the n-th request since the
                test started), or a `When`; default any request); `remote=True` (a provider's error
                passed through Truto: `truto_is_remote_error`, `raw_response`); `message` (the error's
                `message` instead of the default one); `retry_after` (seconds, fractions allowed, sent
                as `Retry-After` and, on a 429, `ratelimit-*`); `headers` (more response headers);
                `latency_ms` (the answer waits this long); `fail` (`"drop"`: the connection closes
                unanswered, `"cut"`: half the body, then closed, or `"connect-timeout"`).

        Returns:
            The script, whose `used` counts the requests it answered.

        Raises:
            ScriptError: a bad or unknown keyword, named (a `ValueError`).
        """
        script = make_script(status, **options)
        return self._truto_state().scripts.add(script)

    def scripts(self) -> list[Script]:
        """Every script since the reset, with how often each was played (`used`)."""
        return self._truto_state().scripts.all()

    def assert_all_consumed(self) -> None:
        """Fail (ScriptsNotConsumed, an AssertionError) naming each script not played as often as asked."""
        __tracebackhide__ = True
        pending = self._truto_state().scripts.pending()
        if pending:
            lines = "\n".join(f"  - {script}" for script in pending)
            raise ScriptsNotConsumed(
                f"{len(pending)} script(s) not played as often as asked:\n{lines}\n{_listing(self.requests())}"
            )

    def requests(self) -> list[LoggedRequest]:
        """Every request of the test (since the mock's last reset), oldest first: `method`, `path`,
        `query` (a dict), `headers` (`Authorization` masked), `token_ok`, `status`, `verdict`, ..."""
        return self._log().entries()

    def calls_to(
        self,
        path: str | None = None,
        *,
        method: str | None = None,
        endpoint: str | None = None,
        account: str | None = None,
        page: int | None = None,
        cursor: str | None = None,
        query: Mapping[str, Any] | None = None,
        status: int | None = None,
        interrupted: str | None = None,
    ) -> list[LoggedRequest]:
        """The logged requests matching every criterion given (oldest first), to assert on what your
        client sent.

        Args:
            path: the exact request path.
            method: `GET`, `HEAD`, ... (any case).
            endpoint: `"get"` or `"list"`.
            account: an integrated account id, or a provider name for any of its accounts.
            page: the list page, from 1.
            cursor: the exact `next_cursor` sent.
            query: a subset of the parsed query: `{"limit": 5}` matches any request sending `limit=5`.
            status: the status the client received, so a request it got no answer to matches none.
            interrupted: `drop`, `connect-timeout`, `read-timeout` (no answer) or `cut`: how the
                exchange broke.

        Raises:
            ValueError: an unknown `endpoint` or `interrupted`.
            TypeError: `query` is not a dict.
        """
        if endpoint is not None and endpoint not in (GET, LIST):
            raise ValueError(f"endpoint must be {GET!r} or {LIST!r}, got {endpoint!r}")
        if interrupted is not None and interrupted not in INTERRUPTIONS:
            raise ValueError(f"interrupted must be one of {', '.join(map(repr, INTERRUPTIONS))}, got {interrupted!r}")
        if query is not None and not isinstance(query, Mapping):
            raise TypeError(f"query takes a dict of parameters, got {type(query).__name__}")
        when = When(method=method, path=path, endpoint=endpoint, account=account, page=page, cursor=cursor)
        state = self._truto_state()
        found = []
        for nth, entry in enumerate(self.requests(), 1):
            facts = request_facts(state, entry.method, entry.path, endpoint_of(entry.path), entry.query_string, nth)
            if not when.matches(facts):
                continue
            if status is not None and entry.status != status:
                continue
            if interrupted is not None and entry.interrupted != interrupted:
                continue
            if query is not None and not _query_matches(entry.query, query):
                continue
            found.append(entry)
        return found

    def assert_requested(
        self, path: str | None = None, *, times: int | None = None, **match: Any
    ) -> list[LoggedRequest]:
        """Fail unless some request (exactly `times` requests, when given) matched, showing the requests
        the mock got.

        Args:
            path: the exact request path.
            times: how many requests must match; None: at least one.
            **match: the other criteria of `calls_to`.

        Returns:
            The matching requests.

        Raises:
            AssertionError: the requests did not match as asked.
        """
        __tracebackhide__ = True
        found = self.calls_to(path, **match)
        wanted = {k: v for k, v in {"path": path, **match}.items() if v is not None} or "any request"
        if (times is None and not found) or (times is not None and len(found) != times):
            expected = f"{times} request(s)" if times is not None else "a request"
            raise AssertionError(
                f"expected {expected} matching {wanted}, found {len(found)}; {_listing(self.requests())}"
            )
        return found

    def assert_requested_once(self, path: str | None = None, **match: Any) -> LoggedRequest:
        """Fail unless exactly one request matched, showing the requests the mock got.

        Args:
            path: the exact request path.
            **match: the other criteria of `calls_to`.

        Returns:
            The one matching request.

        Raises:
            AssertionError: none or several matched.
        """
        __tracebackhide__ = True
        [entry] = self.assert_requested(path, times=1, **match)
        return entry
