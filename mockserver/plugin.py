"""pytest plugin (entry point `pytest11`): the Truto interviews mock and contract checks as fixtures.

Fixtures: `truto_mock` (a live mock, reset before each test), `truto_respx` (a respx router answering
httpx calls to https://api.truto.one from the same mock, in-process), `truto_target` and
`truto_client` (the mock, or the real API with --truto-base-url), `truto_contract` (checks a response
against the contract). Marker: `@pytest.mark.truto_mock(seed=..., records=..., ...)`.
Heavy imports happen inside the fixtures, so merely installing the kit costs a test run nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx
    import respx

    from mockserver.contract_fixture import ContractChecker, Target
    from mockserver.live import AppCache, LiveServer, MockHandle

MOCK_TOKEN = "test-token"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("truto", "Truto interviews contract kit")
    group.addoption(
        "--truto-base-url",
        default=None,
        help="aim truto_target and truto_client at this API (e.g. https://api.truto.one) instead of the mock",
    )
    group.addoption(
        "--truto-token",
        default=None,
        help="API token for --truto-base-url (default: $TRUTO_API_TOKEN); never printed",
    )
    group.addoption(
        "--truto-account",
        action="append",
        default=[],
        metavar="PROVIDER=UUID",
        help="integrated account per provider for --truto-base-url (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "truto_mock(seed=0, records=25, data_dir=None, token=None, strict_query=True): "
        "configure the Truto mock for one test",
    )


@pytest.fixture(scope="session")
def _truto_apps() -> AppCache:
    from mockserver.live import AppCache

    return AppCache()


@pytest.fixture(scope="session")
def _truto_live_server() -> Iterator[LiveServer]:
    from mockserver.live import LiveServer

    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture
def truto_mock_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings of the mock for this test: the `truto_mock` marker's keywords. Override to change defaults."""
    marker = request.node.get_closest_marker("truto_mock")
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
def truto_mock_app(truto_mock_config: dict[str, Any], _truto_apps: AppCache) -> Any:
    """The mock's Flask app for this test, data reset to its initial state."""
    from mockserver.config import MockConfig

    return _truto_apps.get(MockConfig.from_mapping(truto_mock_config))


@pytest.fixture
def truto_mock(truto_mock_app: Any, _truto_live_server: LiveServer) -> MockHandle:
    """A live mock on an ephemeral loopback port: `.url`, `.accounts`, `.add_records(...)`."""
    from mockserver.live import MockHandle

    _truto_live_server.app = truto_mock_app
    return MockHandle(truto_mock_app, _truto_live_server.url)


@pytest.fixture
def truto_respx(truto_mock_app: Any) -> Iterator[respx.MockRouter]:
    """A respx router: httpx requests to https://api.truto.one are answered by the mock in-process."""
    import respx

    from mockserver.live import TRUTO_BASE_URL, wsgi_responder

    with respx.mock(base_url=TRUTO_BASE_URL, assert_all_called=False) as router:
        router.route(name="truto").mock(side_effect=wsgi_responder(truto_mock_app))
        yield router


@pytest.fixture
def truto_target(request: pytest.FixtureRequest) -> Target:
    """Where contract tests send requests: the live mock, or the real API given --truto-base-url."""
    from mockserver.contract_fixture import Target, parse_accounts

    base_url = request.config.getoption("--truto-base-url")
    if base_url is None:
        mock: MockHandle = request.getfixturevalue("truto_mock")
        return Target(mock.url, MOCK_TOKEN, mock.accounts, is_mock=True)
    token = request.config.getoption("--truto-token") or os.environ.get("TRUTO_API_TOKEN")
    if not token:
        raise pytest.UsageError("--truto-base-url needs --truto-token or TRUTO_API_TOKEN")
    accounts = parse_accounts(request.config.getoption("--truto-account"))
    if not accounts:
        raise pytest.UsageError("--truto-base-url needs at least one --truto-account PROVIDER=UUID")
    return Target(base_url.rstrip("/"), token, accounts, is_mock=False)


@pytest.fixture
def truto_client(truto_target: Target) -> Iterator[httpx.Client]:
    """An httpx client aimed at `truto_target`, bearer token set."""
    import httpx

    with httpx.Client(base_url=truto_target.base_url, headers=truto_target.headers(), timeout=30) as client:
        yield client


@pytest.fixture
def truto_contract(request: pytest.FixtureRequest) -> ContractChecker:
    """Checks an httpx or requests response against the contract: `truto_contract.check(response)`.

    The provider of each response is found from its `integrated_account_id`: the mock's accounts and
    those given with --truto-account.
    """
    from mockserver.contract_fixture import ContractChecker, parse_accounts
    from mockserver.dataset import load_accounts
    from mockserver.live import mock_state

    providers = {a.id: a.provider for a in load_accounts()}
    if "truto_mock_app" in request.fixturenames:
        providers.update(
            {a.id: a.provider for a in mock_state(request.getfixturevalue("truto_mock_app")).store.accounts()}
        )
    given = parse_accounts(request.config.getoption("--truto-account"))
    providers.update({uuid: provider for provider, uuid in given.items()})
    return ContractChecker(providers)
