"""The `truto_contract` helper and the `truto_target` description used by the pytest plugin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from contracts.checker import ADDITIVE_RULE, Violation
from contracts.live.accounts import AccountError, parse_account_args
from contracts.params import GET, LIST, RESPONSE_FORMATS
from contracts.providers import PROVIDERS
from contracts.responses import Exchange, check_response, parse_body


@dataclass(frozen=True)
class Target:
    """An API to test against. The token is kept out of `repr` so it never lands in a report."""

    base_url: str
    """The API's base URL: the mock's, or `--truto-base-url`."""
    token: str = field(repr=False)
    """The bearer token sent (`--truto-token`, `$TRUTO_API_TOKEN`); never printed."""
    accounts: Mapping[str, str]
    """provider -> integrated account id (the mock's, or `--truto-account PROVIDER=UUID`)."""
    is_mock: bool
    """True when it is the kit's mock, so a test can skip what only the real API can tell."""

    def headers(self) -> dict[str, str]:
        """The headers every request to the target needs: the bearer token and `Accept: application/json`."""
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}


def parse_accounts(values: Iterable[str]) -> dict[str, str]:
    """`PROVIDER=UUID` strings -> {provider: uuid}; a pytest.UsageError for a malformed one or for
    a provider given twice (the fixture maps each provider to one account)."""
    import pytest

    try:
        entries = parse_account_args(list(values), option="--truto-account")
    except AccountError as exc:
        raise pytest.UsageError(str(exc)) from None
    out: dict[str, str] = {}
    for provider, account_id, _ in entries:
        if provider in out:
            raise pytest.UsageError(f"--truto-account gives {provider} twice; the fixture takes one per provider")
        out[provider] = account_id
    return out


class ContractViolation(AssertionError):
    """A response broke the contract; the message lists every violation."""


ACCEPTS = (
    "an httpx or requests Response, a parsed body (a dict: one interview, a list envelope or a debug "
    "envelope; a list of interviews) or JSON text (str or bytes)"
)
_JSON_HEADERS = {"Content-Type": "application/json"}


def _is_response(value: Any) -> bool:
    """An HTTP response (httpx, requests or alike), not a body that happens to have such keys."""
    if isinstance(value, str | bytes | dict | list):
        return False
    return all(hasattr(type(value), name) or hasattr(value, name) for name in ("status_code", "headers", "content"))


class ContractChecker:
    """Checks what a client received against the contract: a Response (with the request that produced
    it), or a body the client already parsed, described by `provider=` and `format=`.

    Args:
        account_providers: integrated account id -> provider, to find the provider of a Response from
            its URL's `integrated_account_id`.
        strict_fields: make fields the contract does not name violations (by default an additive
            change, not a violation).
    """

    def __init__(self, account_providers: Mapping[str, str], *, strict_fields: bool = False) -> None:
        self._providers = dict(account_providers)  # integrated account id -> provider
        self.strict_fields = strict_fields

    def violations(
        self,
        response: Any,
        *,
        provider: str | None = None,
        format: str | None = None,
        endpoint: str | None = None,
        strict_fields: bool | None = None,
    ) -> list[Violation]:
        """The contract violations of `response` (see ACCEPTS); empty when it conforms.

        A field the contract does not name is an additive change, not a violation (Truto adds
        fields, and customers extend the unified model), unless `strict_fields` (per call, else the
        checker's own setting).

        A Response is judged with its request (status, headers, the URL's format and account); a parsed
        body or JSON text as a 200 answer in `format` for `provider`, its endpoint from its shape.

        Args:
            response: an httpx or requests Response, a parsed body (one interview, a list envelope, a
                debug envelope, a list of interviews) or JSON text (str or bytes).
            provider: the provider behind the body; None: from a Response's URL, else the
                provider-specific rules are skipped.
            format: the body's `truto_response_format`; None: the Response URL's, else `unified`.
            endpoint: `"get"` or `"list"`; None: from the URL or the body's shape.
            strict_fields: per call, instead of the checker's own setting.

        Raises:
            ValueError: an unknown provider, format or endpoint.
            TypeError: a value it cannot check (named), or a Response without its request.
        """
        found = self._violations(response, provider, format, endpoint)
        strict = self.strict_fields if strict_fields is None else strict_fields
        return found if strict else [v for v in found if v.rule != ADDITIVE_RULE]

    def _violations(
        self, response: Any, provider: str | None, format: str | None, endpoint: str | None
    ) -> list[Violation]:
        if provider is not None and provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}, got {provider!r}")
        if format is not None and format not in RESPONSE_FORMATS:
            raise ValueError(f"format must be one of {', '.join(RESPONSE_FORMATS)}, got {format!r}")
        if endpoint is not None and endpoint not in (GET, LIST):
            raise ValueError(f"endpoint must be {GET!r} or {LIST!r}, got {endpoint!r}")
        if _is_response(response):
            return self._response_violations(response, provider, format)
        if isinstance(response, str | bytes | bytearray):
            parsed, problem = parse_body(bytes(response) if isinstance(response, bytearray) else response)
            if problem is not None:
                return [problem]
            response = parsed
        if not isinstance(response, dict | list):
            raise TypeError(f"truto_contract takes {ACCEPTS}; got {type(response).__name__}")
        return self._body_violations(response, provider, format or "unified", endpoint)

    def _response_violations(self, response: Any, provider: str | None, fmt: str | None) -> list[Violation]:
        try:
            request = response.request
        except RuntimeError:  # an httpx.Response built by hand has no request
            request = None
        if request is None:
            raise TypeError(
                "truto_contract: this Response carries no request, so its endpoint and format are unknown; "
                "pass its body (response.json()) with provider= and format="
            )
        exchange = Exchange.from_url(
            str(request.url), provider=provider, accounts=self._providers, method=str(request.method)
        )
        if fmt is not None:
            exchange = replace(exchange, response_format=fmt)
        return check_response(response.status_code, dict(response.headers), response.content, exchange)

    def _body_violations(self, body: Any, provider: str | None, fmt: str, endpoint: str | None) -> list[Violation]:
        if isinstance(body, list) and fmt == "raw":
            raise TypeError(
                "truto_contract: a raw list is checked as the API sent it: Pinpoint's {'data': [...]}, "
                "Ceipal's {'results': [...]}"
            )
        if isinstance(body, list):  # a client's list of interviews
            found: list[Violation] = []
            exchange = Exchange(GET, provider, fmt)
            for index, item in enumerate(body):
                for v in check_response(200, _JSON_HEADERS, item, exchange):
                    found.append(replace(v, pointer=f"/{index}{v.pointer}"))
            return found
        if endpoint is None:
            inner = body.get("result") if isinstance(body, dict) and fmt == "debug" else body
            is_list = isinstance(inner, dict) and "result" in inner if fmt == "debug" else None
            if fmt == "debug":
                endpoint = LIST if is_list or isinstance(inner, list) else GET
            elif fmt == "raw":
                endpoint = LIST if _raw_is_list(body) else GET
            else:
                endpoint = LIST if isinstance(body, dict) and "result" in body else GET
        return check_response(200, _JSON_HEADERS, body, Exchange(endpoint, provider, fmt))

    def check(
        self,
        response: Any,
        *,
        provider: str | None = None,
        format: str | None = None,
        endpoint: str | None = None,
        strict_fields: bool | None = None,
    ) -> None:
        """Fail the test when what the client received breaks the contract, listing each violation.

        Args:
            response: as for `violations`: a Response, a parsed body or JSON text.
            provider: as for `violations`.
            format: as for `violations`.
            endpoint: as for `violations`.
            strict_fields: True makes fields the contract does not name violations too.

        Raises:
            ContractViolation: an AssertionError listing every violation.
        """
        found = self.violations(
            response, provider=provider, format=format, endpoint=endpoint, strict_fields=strict_fields
        )
        if not found:
            return
        lines = "\n".join(f"  - {v}" for v in found)
        if _is_response(response):
            request = response.request
            what = f"{request.method} {request.url} -> {response.status_code}"
        else:
            what = f"the {type(response).__name__} given ({format or 'unified'}, {provider or 'any provider'})"
        raise ContractViolation(f"{what} breaks the contract:\n{lines}")


def _raw_is_list(body: Any) -> bool:
    """A raw list body: JSON:API's `data` array (Pinpoint) or a `results` array (Ceipal)."""
    return isinstance(body, dict) and (isinstance(body.get("data"), list) or isinstance(body.get("results"), list))
