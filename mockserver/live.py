"""A live mock for test suites: one threaded server per session, the app behind it swappable per test.

Werkzeug's threaded server runs in a daemon thread of the test process, so a test can add records
to the very store the server answers from. (`python -m mockserver` serves with uvicorn instead: mockserver.serve.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from contracts.accounts import Account
from mockserver.adapter import STATE_KEY
from mockserver.app import create_app
from mockserver.config import MockConfig
from mockserver.controls import MockControls
from mockserver.requestlog import RequestLog
from mockserver.state import MockState
from mockserver.store import Record


class AppCache:
    """Apps by configuration: a marker with the same settings reuses an app (after a reset)."""

    def __init__(self, on_create: Callable[[Flask], None] | None = None) -> None:
        self._apps: dict[MockConfig, Flask] = {}
        self._lock = threading.Lock()
        self._on_create = on_create

    def get(self, config: MockConfig) -> Flask:
        with self._lock:
            if config not in self._apps:
                self._apps[config] = create_app(config)
                mock_state(self._apps[config]).log = RequestLog()  # tests assert on every request
                if self._on_create is not None:
                    self._on_create(self._apps[config])
            app = self._apps[config]
        mock_state(app).reset()
        return app


def mock_state(app: Flask) -> MockState:
    state: MockState = app.extensions[STATE_KEY]
    return state


class _QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output; a broken body closes the connection."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        """A scripted `drop` or `cut` (the body raised ConnectionError): close the socket, so the
        client sees the connection end instead of waiting on a kept-alive one."""
        self.close_connection = True


class LiveServer:
    """A loopback HTTP server whose WSGI app can be swapped between tests."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app: Flask | None = None
        self._server: BaseWSGIServer = make_server(
            host, port, self._dispatch, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="truto-mock", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.app is None:  # pragma: no cover - only between session start and the first test
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no mock app configured"]
        return self.app(environ, start_response)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class MockHandle(MockControls):
    """What a test gets from the `truto_mock` fixture: the live mock's URL, accounts and state, and
    (shared with `truto_respx`) scripts, clock and request log (see `MockControls`).

    Args:
        app: the mock app (`create_app`) the live server serves.
        url: the live server's base URL.
    """

    def __init__(self, app: Flask, url: str) -> None:
        self.app = app
        self.url = url

    @property
    def state(self) -> MockState:
        """The mock's state (store, journal, faults, scripts, clock): for what the handle does not offer."""
        return mock_state(self.app)

    def _truto_state(self) -> MockState:
        return self.state

    @property
    def accounts(self) -> dict[str, str]:
        """provider name -> integrated account id (the first account of each provider)."""
        out: dict[str, str] = {}
        for account in self.state.store.accounts():
            out.setdefault(account.provider, account.id)
        return out

    def account(self, provider_or_id: str) -> Account:
        """The integrated account with this id, or the first one of this provider.

        Args:
            provider_or_id: an integrated account id or a provider name.

        Raises:
            KeyError: naming it and the accounts the mock has.
        """
        for account in self.state.store.accounts():
            if provider_or_id in (account.id, account.provider):
                return account
        raise KeyError(f"no integrated account {provider_or_id!r}; have {self.accounts}")

    def add_records(
        self,
        provider_or_account: str,
        raws: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        *,
        replace: bool = False,
        overwrite: bool = False,
    ) -> list[Record]:
        """Add raw provider records for this test, as the provider would hold them; the mock answers
        with them mapped like its own.

        Args:
            provider_or_account: a provider name (its first account) or an integrated account id.
            raws: one raw record (a dict) or a list of them, in the provider's shape.
            replace: make these the account's only records.
            overwrite: replace records whose ids the account already holds, instead of refusing them.

        Returns:
            The records as stored.

        Raises:
            MappingError: a record breaks the contract (checked first); a `ValueError`, naming the violation.
            DuplicateRecordError: an id the account already holds (without `overwrite`), or repeated.
            TypeError: `raws` is neither a dict nor a list of dicts.
            KeyError: no such provider or account.
        """
        return self.state.store.put(
            self.account(provider_or_account).id, _record_list(raws), replace=replace, overwrite=overwrite
        )

    def reset(self) -> None:
        """Data, journal, faults, scripts, clock and request log back to where the test started."""
        self.state.reset()

    @contextmanager
    def fresh(self) -> Iterator[MockHandle]:
        """`with truto_mock.fresh():` runs its body from the configured data: one Hypothesis example
        per block, so records added by one example never reach the next."""
        self.reset()
        yield self


def _record_list(raws: object) -> list[Mapping[str, Any]]:
    """One record (a dict) or a list of them; a TypeError naming anything else."""
    if isinstance(raws, Mapping):
        return [raws]
    if not isinstance(raws, list | tuple):
        raise TypeError(f"add_records takes one raw record (a dict) or a list of them, got {type(raws).__name__}")
    for index, raw in enumerate(raws):
        if not isinstance(raw, Mapping):
            raise TypeError(f"add_records: record {index} is a {type(raw).__name__}, not a raw record (a dict)")
    return list(raws)
