"""pytest plugin (entry point `pytest11`): the Truto interviews mock and contract checks as fixtures.

Fixtures: `truto_mock` (a live mock, reset before each test), `truto_respx` (a respx router answering
httpx calls to https://api.truto.one from the same mock, in-process), `truto_target` and
`truto_client` (the mock, or the real API with --truto-base-url), `truto_contract` (checks a response
against the contract). Marker: `@pytest.mark.truto_mock(seed=..., records=..., ...)`. Report:
`--truto-coverage` / `--truto-coverage-json FILE`.
Heavy imports happen inside the fixtures, so merely installing the kit costs a test run nothing.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterator
from dataclasses import MISSING, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mockserver.config import MockConfig

if TYPE_CHECKING:
    import httpx

    from mockserver.contract_fixture import ContractChecker, Target
    from mockserver.coverage import Collector
    from mockserver.inprocess import TrutoRouter
    from mockserver.live import AppCache, LiveServer, MockHandle

MOCK_TOKEN = "test-token"
PLUGIN_SETTINGS: dict[str, tuple[bool, str]] = {
    "check_all": (
        False,
        "At the end of the test, check every answer the mock served against the contract; a violation "
        "fails the test (the client got something the contract forbids: a bug of the kit).",
    ),
    "assert_all_consumed": (
        False,
        "At the end of the test, fail it if a script (`script(...)`) was not played as often as asked.",
    ),
}
"""Marker keywords the plugin handles itself (checks at the end of a test), beside MockConfig's."""
MARKER_FIXTURES = frozenset(
    {"truto_mock_config", "truto_mock_app", "truto_mock", "truto_respx", "truto_target", "truto_client"}
)
"""The fixtures the marker configures; a marked test using none of them gets a warning."""
COVERAGE_KEY: pytest.StashKey[Collector] = pytest.StashKey()


FIXTURES_EXTRA = "truto-interviews-kit[pytest]"
"""The extra the mock fixtures need; the plugin itself loads with pytest and the kit's floor alone."""
_FIXTURE_MODULES = ("flask", "werkzeug", "faker", "platformdirs", "respx")


def _require_fixtures_extra(fixture: str) -> None:
    """One line naming the extra to install, instead of an ImportError traceback, when the mock's
    dependencies are missing (an environment installed for the gate, with pytest)."""
    missing = [name for name in _FIXTURE_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        pytest.fail(
            f"{fixture} needs the kit's pytest extra: pip install '{FIXTURES_EXTRA}' (missing: {', '.join(missing)})",
            pytrace=False,
        )


class TrutoMockWarning(pytest.PytestWarning):
    """The `truto_mock` marker is used where it does nothing."""


def marker_signature() -> str:
    """`truto_mock(seed=0, records=25, ...)`: the marker's keywords, from MockConfig and PLUGIN_SETTINGS."""
    parts = [f"{f.name}={f.default!r}" for f in fields(MockConfig) if f.default is not MISSING]
    parts += [f"{name}={default!r}" for name, (default, _) in PLUGIN_SETTINGS.items()]
    return f"truto_mock({', '.join(parts)})"


def split_settings(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bool]]:
    """(the mock's settings, the plugin's own) from the marker's keywords; a TypeError for a
    plugin keyword that is not True or False."""
    mock = {k: v for k, v in settings.items() if k not in PLUGIN_SETTINGS}
    plugin = {name: default for name, (default, _) in PLUGIN_SETTINGS.items()}
    for name in PLUGIN_SETTINGS.keys() & settings.keys():
        if not isinstance(settings[name], bool):
            raise TypeError(f"truto_mock({name}=...) takes True or False, got {settings[name]!r}")
        plugin[name] = settings[name]
    return mock, plugin


def _end_of_test_checks(item: pytest.Item) -> None:
    """The marker's `check_all` and `assert_all_consumed`, run when the test body has passed."""
    __tracebackhide__ = True
    funcargs = getattr(item, "funcargs", {})
    if "truto_mock_app" not in funcargs or "truto_mock_config" not in funcargs:
        return
    _, plugin = split_settings(funcargs["truto_mock_config"])
    if not any(plugin.values()):
        return
    from mockserver.controls import ScriptsNotConsumed
    from mockserver.live import MockHandle

    handle = MockHandle(funcargs["truto_mock_app"], "")
    if plugin["assert_all_consumed"]:
        unplayed = None
        try:
            handle.assert_all_consumed()
        except ScriptsNotConsumed as exc:
            unplayed = str(exc)
        if unplayed is not None:
            pytest.fail(f"assert_all_consumed: {unplayed}", pytrace=False)
    if plugin["check_all"]:
        broken = [entry for entry in handle.requests() if entry.verdict == "violates"]
        if broken:
            lines = "\n".join(f"  - {entry}: {'; '.join(entry.violations)}" for entry in broken[:20])
            more = f"\n  ... and {len(broken) - 20} more" if len(broken) > 20 else ""
            pytest.fail(
                f"check_all: the mock served {len(broken)} answer(s) the contract forbids. The client got "
                f"something the real API would not send: that is a bug of the kit (please report it), not of "
                f"your code.\n{lines}{more}",
                pytrace=False,
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    _end_of_test_checks(item)  # raises: the test fails (only reached when its body passed)
    return result


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
    group.addoption(
        "--truto-coverage",
        action="store_true",
        default=False,
        help="at the end, print which parts of the contract the session's requests to the mock exercised",
    )
    group.addoption(
        "--truto-coverage-json",
        default=None,
        metavar="FILE",
        help="write that coverage report to FILE as JSON",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{marker_signature()}: configure the Truto mock for one test (keywords only)")
    report_file = config.getoption("--truto-coverage-json")
    if report_file and not Path(report_file).resolve().parent.is_dir():
        raise pytest.UsageError(f"--truto-coverage-json: the folder of {report_file} does not exist")
    if config.getoption("--truto-coverage") or report_file:
        from mockserver.coverage import Collector

        config.stash[COVERAGE_KEY] = Collector()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("truto_mock")
        used = set(getattr(item, "fixturenames", ()))
        if marker is not None and not used & MARKER_FIXTURES:
            item.warn(
                TrutoMockWarning(
                    f"@pytest.mark.truto_mock on {item.name}, which uses none of the kit's mock fixtures "
                    f"({', '.join(sorted(MARKER_FIXTURES))}): it configures nothing"
                )
            )


def pytest_sessionfinish(session: pytest.Session) -> None:
    collector = session.config.stash.get(COVERAGE_KEY, None)
    workeroutput = getattr(session.config, "workeroutput", None)
    if collector is not None and workeroutput is not None:  # an xdist worker: hand the counts over
        workeroutput["truto_coverage"] = json.dumps(collector.to_json())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: merge a finished worker's counts into the controller's."""
    collector = node.config.stash.get(COVERAGE_KEY, None)
    rows = getattr(node, "workeroutput", {}).get("truto_coverage")
    if collector is not None and rows:
        collector.merge(json.loads(rows))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    collector = config.stash.get(COVERAGE_KEY, None)
    if collector is None or hasattr(config, "workeroutput"):
        return
    from mockserver.coverage import render, report

    data = report(collector.counts)
    path = config.getoption("--truto-coverage-json")
    written = ""
    if path:
        try:
            Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            written = f"written to {path}"
        except OSError as exc:
            written = f"could not write {path}: {exc.strerror or exc}"
    if config.getoption("--truto-coverage") or written.startswith("could not"):
        terminalreporter.write_sep("=", "Truto contract coverage")
        lines = render(data) if config.getoption("--truto-coverage") else []
        for text in [*lines, *([written] if written else [])]:
            terminalreporter.write_line(text)


@pytest.fixture(scope="session")
def _truto_apps(pytestconfig: pytest.Config) -> AppCache:
    _require_fixtures_extra("the truto_mock fixtures")
    from mockserver.live import AppCache, mock_state

    collector = pytestconfig.stash.get(COVERAGE_KEY, None)
    if collector is None:
        return AppCache()

    def watch(app: Any) -> None:
        state = mock_state(app)
        collector.watch(state.journal.listeners, {a.id: a.provider for a in state.store.accounts()})

    return AppCache(on_create=watch)


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
    if marker is not None and marker.args:
        raise TypeError(
            f"@pytest.mark.truto_mock takes keywords only, e.g. truto_mock(seed=3); got positional {marker.args!r}"
        )
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
def truto_mock_app(truto_mock_config: dict[str, Any], _truto_apps: AppCache) -> Any:
    """The mock's Flask app for this test, data reset to its initial state."""
    mock_settings, _ = split_settings(truto_mock_config)
    return _truto_apps.get(MockConfig.from_mapping(mock_settings))


@pytest.fixture
def truto_mock(truto_mock_app: Any, _truto_live_server: LiveServer) -> MockHandle:
    """A live mock on an ephemeral loopback port: `.url`, `.accounts`, `.account()`, `.add_records()`,
    `.requests()`, `.reset()`, `.fresh()`."""
    from mockserver.live import MockHandle

    _truto_live_server.app = truto_mock_app
    return MockHandle(truto_mock_app, _truto_live_server.url)


@pytest.fixture
def truto_respx(truto_mock_app: Any) -> Iterator[TrutoRouter]:
    """A respx router: httpx requests to https://api.truto.one are answered by the mock in-process,
    loopback passes through, any other host fails naming it (add routes on the router)."""
    from mockserver.inprocess import TrutoRouter, core_responder
    from mockserver.live import mock_state

    router = TrutoRouter(core_responder(truto_mock_app), state=mock_state(truto_mock_app))
    with router:
        yield router


@pytest.fixture
def truto_target(request: pytest.FixtureRequest) -> Target:
    """Where contract tests send requests: the live mock, or the real API given --truto-base-url."""
    from contracts.tokens import token_problem
    from mockserver.contract_fixture import Target, parse_accounts

    base_url = request.config.getoption("--truto-base-url")
    if base_url is None:
        mock: MockHandle = request.getfixturevalue("truto_mock")
        return Target(mock.url, mock.state.config.token or MOCK_TOKEN, mock.accounts, is_mock=True)
    token = request.config.getoption("--truto-token") or os.environ.get("TRUTO_API_TOKEN")
    if not token:
        raise pytest.UsageError("--truto-base-url needs --truto-token or TRUTO_API_TOKEN")
    problem = token_problem(token)
    if problem is not None:
        raise pytest.UsageError(f"the token given with --truto-token or TRUTO_API_TOKEN {problem}")
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
    _require_fixtures_extra("truto_contract")
    from mockserver.contract_fixture import ContractChecker, parse_accounts
    from mockserver.dataset import load_accounts
    from mockserver.live import mock_state

    providers: dict[str, str] = {a.id: a.provider for a in load_accounts()}
    if "truto_mock_app" in request.fixturenames:
        providers.update(
            {a.id: a.provider for a in mock_state(request.getfixturevalue("truto_mock_app")).store.accounts()}
        )
    given = parse_accounts(request.config.getoption("--truto-account"))
    providers.update({uuid: provider for provider, uuid in given.items()})
    return ContractChecker(providers)
