"""What each check stands on: a documented fact (with its source) or an assumption (with what
would confirm it). One table; the field and parameter tables, the error cases, the checker's rules,
the response-level checks and the gate's checks name an entry by id, and `docs/assumptions.md`
lists the same ids (a test keeps the two in step).

A finding that rests on an assumption is not proof that the API broke its contract: it may be the
kit that guessed wrong. The gate reports such findings apart (*unconfirmed*).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class BasisKind(StrEnum):
    DOCUMENTED = "documented"
    ASSUMED = "assumed"


@dataclass(frozen=True)
class Basis:
    """One fact a check stands on. `source` says where a documented fact is written; for an
    assumption it says what would confirm it."""

    id: str
    """`D-...` for a documented fact, `A-...` for an assumption of the kit; checks and reports cite it."""
    kind: BasisKind
    """Documented or assumed."""
    statement: str
    """What the fact says, in one sentence."""
    source: str
    """Where a documented fact is written, or what would confirm an assumption."""

    @property
    def assumed(self) -> bool:
        """True for an assumption of the kit: a violation of it is `unconfirmed`, not proof of a bug."""
        return self.kind is BasisKind.ASSUMED


_D, _A = BasisKind.DOCUMENTED, BasisKind.ASSUMED
SEED = "the seed page (docs/seed-interviews-get.txt)"

BASES: tuple[Basis, ...] = (
    # --- documented facts ----------------------------------------------------------------------
    Basis(
        "D-http-405-allow",
        _D,
        "A 405 answer says which methods the resource allows in an `Allow` header.",
        "RFC 9110, section 15.5.6 (405 Method Not Allowed)",
    ),
    Basis(
        "D-seed-fields",
        _D,
        "A unified interview has the seed's fields, each of its documented type "
        "(date-time strings are RFC 3339); `id` is required; `status` takes the five documented values.",
        SEED,
    ),
    Basis("D-provider-coverage", _D, "Each provider fills only the fields the seed marks as supported for it.", SEED),
    Basis(
        "D-seed-params",
        _D,
        "The endpoint takes the path `id` and the query parameters the seed documents "
        "(integrated_account_id, truto_response_format, truto_ignore_remote_data, truto_exclude_fields, "
        "remote_query, truto_skip_api_call).",
        SEED,
    ),
    Basis(
        "D-remote-data",
        _D,
        "Every unified record carries `remote_data`; `truto_ignore_remote_data=true` drops it.",
        SEED,
    ),
    Basis("D-exclude-fields", _D, "`truto_exclude_fields[]=name` leaves those fields out of the response.", SEED),
    Basis(
        "D-exclude-comma",
        _D,
        "`truto_exclude_fields` also takes a comma-separated list.",
        "Truto's unified API reference (trutohq/truto-skills, unified-api.md)",
    ),
    Basis(
        "D-response-formats",
        _D,
        "`truto_response_format` takes unified (default), raw, normalized, stream and debug.",
        SEED,
    ),
    Basis(
        "D-debug-envelope",
        _D,
        "`debug` answers `{result, debug}`; `debug` holds requestUrl, requestOptions, "
        "data, responseHeaders (lists add nextCursor, isLooping, isEmptyResult, resultCount) and is null "
        "with truto_skip_api_call=true.",
        SEED,
    ),
    Basis(
        "D-list-envelope",
        _D,
        "A list answers `{result: [...], next_cursor}`, `next_cursor` null on the last "
        "page; following it reads each record once and ends.",
        "https://truto.one/docs/api-reference/overview/pagination",
    ),
    Basis(
        "D-list-extras",
        _D,
        "List envelopes may add `prev_cursor` (string|null), `result_count` (number) and "
        "`is_partial_response` (boolean).",
        "Truto's unified API reference (trutohq/truto-skills, unified-api.md)",
    ),
    Basis(
        "D-pagination-params",
        _D,
        "Lists take `limit`, `next_cursor` and `truto_ignore_limit`.",
        "https://truto.one/docs/api-reference/overview/pagination and the interviews list page",
    ),
    Basis(
        "D-key-by",
        _D,
        "Lists take `truto_key_by=FIELD`: `result` becomes an object keyed by that field's value (e.g. `id`).",
        "Truto's List Interviews reference: https://www.truto.one/docs/api-reference/unified-ats-api/interviews/list",
    ),
    Basis(
        "D-date-filters",
        _D,
        "Lists filter `created_at` (and Pinpoint's `start_at`, `end_at`) with the "
        "operators gt, gte, lt and ISO 8601 values.",
        "https://truto.one/docs/api-reference/overview/querying and the interviews list page",
    ),
    Basis(
        "D-error-body",
        _D,
        "Every error body has `statusCode` (the HTTP status), `error` (its reason phrase) and `message`.",
        "https://truto.one/docs/api-reference/overview/errors",
    ),
    Basis(
        "D-json",
        _D,
        "Responses are JSON (`application/json`).",
        "https://truto.one/docs/api-reference/overview/introduction",
    ),
    Basis(
        "D-read-200",
        _D,
        "A read answers 200: get the bare interview asked for, list the envelope.",
        "Truto's unified API reference (trutohq/truto-skills, unified-api.md)",
    ),
    Basis(
        "D-account-required",
        _D,
        "`integrated_account_id` is required; without it Truto refuses the request with its error body.",
        f"{SEED}; https://truto.one/docs/api-reference/overview/errors",
    ),
    Basis(
        "D-unknown-account-404",
        _D,
        "An integrated account the token cannot see is a 404.",
        "Truto's error model (trutohq/truto-skills, error-and-evidence-model.md)",
    ),
    Basis(
        "D-unknown-resource-404",
        _D,
        "A resource that does not exist is a 404.",
        "Truto's error model (trutohq/truto-skills, error-and-evidence-model.md)",
    ),
    # --- assumptions ---------------------------------------------------------------------------
    Basis(
        "A-ceipal-raw-shape",
        _A,
        "Ceipal's raw interview records and list envelope look as contracts/providers/ceipal.py writes them.",
        "a recording of a Ceipal account (`python -m contracts record`) whose mapping agrees",
    ),
    Basis(
        "A-pinpoint-raw-shape",
        _A,
        "Pinpoint's raw interviews (JSON:API type, attribute and relationship "
        "names, status vocabulary, list meta) look as contracts/providers/pinpoint.py writes them.",
        "a recording of a Pinpoint account whose mapping agrees",
    ),
    Basis(
        "A-stream-as-unified",
        _A,
        "`stream` sends the same JSON document as `unified` (chunked).",
        "`get format=stream` passing against the real API",
    ),
    Basis(
        "A-debug-on-lists",
        _A,
        "`truto_response_format=debug` works on the list endpoint.",
        "`list format=debug` passing against the real API",
    ),
    Basis(
        "A-absent-not-null",
        _A,
        "A value the provider does not have is left out of the unified record, "
        "never sent as null (except in `normalized`).",
        "unified reads with no null value",
    ),
    Basis(
        "A-exclude-indices",
        _A,
        "`truto_exclude_fields[0]=id` (the indexed form Truto's SDK sends through `qs`) is understood like `[]=`.",
        "`get array encoding=indices` passing against the real API",
    ),
    Basis(
        "A-filter-lte",
        _A,
        "The date filters also take `lte` (the documentation is cut after `gt, g…`).",
        "`list filter created_at[lte]` answered 200",
    ),
    Basis(
        "A-missing-account-400",
        _A,
        "A request without `integrated_account_id` is refused with 400.",
        "`list error missing integrated_account_id` answered 400",
    ),
    Basis(
        "A-account-uuid-400",
        _A,
        "An `integrated_account_id` that is not a UUID is refused with 400.",
        "`list error integrated_account_id is not a UUID` answered 400",
    ),
    Basis(
        "A-unknown-param-400",
        _A,
        "A query parameter outside the contract (or one of the other endpoint) is "
        "refused with 400 naming it, never silently ignored.",
        "`list error parameter outside the contract` answered 400",
    ),
    Basis(
        "A-bad-format-400",
        _A,
        "A `truto_response_format` outside the five documented ones is refused with 400.",
        "`get error bad response format` answered 400",
    ),
    Basis(
        "A-route-method-errors",
        _A,
        "A path that is neither interviews endpoint answers 404, and a method other than GET or HEAD on "
        "one answers 405 with `Allow`, both in Truto's error shape.",
        "a request to an unknown /unified path, and a PUT to an interview, answered so by the real API",
    ),
    Basis(
        "A-bad-value-400",
        _A,
        "A query value of the wrong form (a boolean other than true/false, a limit "
        "that is not a positive whole number, an unknown field to exclude, remote_query not an object, a "
        "filter without an operator or with a value that is not a date, a parameter sent twice, a "
        "`next_cursor` the server never issued, a `truto_key_by` naming an unknown field or one whose value "
        "is not a plain string) is refused with 400.",
        "the strategies' invalid queries answered 400 by the real API",
    ),
)
"""Every documented fact and every assumption the checks stand on, in the order docs/assumptions.md
lists them; each check names one by its id."""

_BY_ID: dict[str, Basis] = {b.id: b for b in BASES}
BASIS_BY_ID: MappingProxyType[str, Basis] = MappingProxyType(_BY_ID)
"""Every entry by id: the table above and any registered since (a read-only live view)."""


def register_basis(entry: Basis) -> Basis:
    """Add an entry, such as the raw-shape assumption of a provider registered from outside the kit.

    Args:
        entry: the new entry; ValueError when another entry has its id.
    """
    if _BY_ID.get(entry.id, entry) != entry:
        raise ValueError(f"basis id {entry.id!r} is taken by another entry")
    _BY_ID[entry.id] = entry
    return entry


def basis(basis_id: str) -> Basis:
    """The entry `basis_id`, to show what a violation or a check stands on.

    Args:
        basis_id: an id such as `D-seed-fields` or `A-absent-not-null`.

    Raises:
        ValueError: naming the id, when the table has no such entry.
    """
    try:
        return BASIS_BY_ID[basis_id]
    except KeyError:
        raise ValueError(f"unknown basis id {basis_id!r} (see contracts/basis.py and docs/assumptions.md)") from None


def is_assumed(basis_id: str) -> bool:
    return basis(basis_id).assumed


RULE_BASIS: MappingProxyType[str, str] = MappingProxyType(
    {
        # the checker's rules (contracts.checker.RULES)
        "not-object": "D-seed-fields",
        "required": "D-seed-fields",
        "type": "D-seed-fields",
        "format": "D-seed-fields",
        "enum": "D-seed-fields",
        "null": "A-absent-not-null",
        "unknown-field": "D-seed-fields",
        "provider-coverage": "D-provider-coverage",
        "excluded-field": "D-exclude-fields",
        "remote-data": "D-remote-data",
        # the response-level checks (contracts.responses)
        "content-type": "D-json",
        "not-json": "D-json",
        "status": "D-read-200",
        "error-body": "D-error-body",
        "list-envelope": "D-list-envelope",
        "key-by": "D-key-by",
        "debug-envelope": "D-debug-envelope",
        "id-mismatch": "D-read-200",
        "allow-header": "D-http-405-allow",
        "raw-body": "A-ceipal-raw-shape",  # the provider's own id replaces it (see responses._check_raw)
        # the gate's list walk
        "paging": "D-list-envelope",
    }
)
"""Each rule's basis when the finding itself names none (a check that knows better passes its own)."""
