"""Findings for people on call: grouped by rule and field, and each failed check with what it takes
to look into it (a command that reproduces it, Truto's message, the start of a body that is not
JSON, the request id).

A group never shows a value of a record: the rule, the field, how many findings in how many checks,
the first three interview ids, the JSON types found. The reproduce command names the token's
environment variable (`--token-env`), never the token.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from contracts.checker import ADDITIVE_RULE, Violation
from contracts.fields import FIELD_BY_NAME
from contracts.live.baseline import json_type
from contracts.live.results import CheckResult, Finding, FindingKind, Outcome

IDS_SHOWN = 3
"""Interview ids named per group."""


@dataclass
class Group:
    """The findings of one rule on one field of one account."""

    account: str
    provider: str
    rule: str
    field: str
    basis: str
    kind: FindingKind
    count: int = 0
    checks: set[str] = dataclasses.field(default_factory=set)
    interview_ids: list[str] = dataclasses.field(default_factory=list)
    types: set[str] = dataclasses.field(default_factory=set)
    example: str = ""
    """For a finding on the answer itself (status, content type, envelope), its message: it holds no
    value of a record."""

    @property
    def where(self) -> str:
        return f"`{self.field}`" if self.field else "the answer"

    def line(self) -> str:
        ids = f"; e.g. {self.example}" if self.example else ""
        ids += f"; interviews {', '.join(self.interview_ids)}" if self.interview_ids else ""
        found = f"; found {'/'.join(sorted(self.types))}" if self.types else ""
        checks = len(self.checks)
        return (f"[{self.account}] {self.rule} on {self.where}: {self.count} finding(s) in {checks} check(s)"
                f"{ids}{found} [{self.basis}]")  # fmt: skip

    def to_json(self) -> dict[str, object]:
        return {
            "account": self.account,
            "provider": self.provider,
            "rule": self.rule,
            "field": self.field,
            "basis": self.basis,
            "kind": self.kind.value,
            "count": self.count,
            "checks": len(self.checks),
            "interview_ids": self.interview_ids,
            "types": sorted(self.types),
            "example": self.example,
        }


def group_findings(results: Iterable[CheckResult], *, kind: FindingKind, outcome: Outcome | None = None) -> list[Group]:
    """Findings of `kind` (of results with `outcome`, when given), grouped by account, rule, field and
    basis (and, on the answer itself, by message), in the order first seen."""
    groups: dict[tuple[str, str, str, str, str], Group] = {}
    for result in results:
        if outcome is not None and result.outcome != outcome:
            continue
        for finding in result.findings:
            if finding.kind is not kind:
                continue
            v = finding.violation
            example = v.message if not finding.field else ""  # on the answer itself: no record value in it
            key = (result.account, v.rule, finding.field, v.basis, example)
            group = groups.get(key)
            if group is None:
                group = groups[key] = Group(result.account, result.provider, v.rule, finding.field, v.basis, kind,
                                            example=example)  # fmt: skip
            _add(group, result, finding)
    return list(groups.values())


def _add(group: Group, result: CheckResult, finding: Finding) -> None:
    group.count += 1
    group.checks.add(result.name)
    known = group.interview_ids
    if finding.interview_id is not None and finding.interview_id not in known and len(known) < IDS_SHOWN:
        known.append(finding.interview_id)
    if finding.value_type:
        group.types.add(finding.value_type)


def reproduce(result: CheckResult, token_env: str) -> str:
    """A shell command that sends the same request: the token from its variable, never its value."""
    auth = f'"Authorization: Bearer ${{{token_env}}}"'
    return f"curl -sS -i -H {auth} {shlex.quote(result.url)}"


def request_line(result: CheckResult, base_url: str = "") -> str:
    url = result.url[len(base_url) :] if base_url and result.url.startswith(base_url) else result.url
    answer = str(result.status) if result.status is not None else "no answer"
    pages = f" ({result.pages} pages)" if result.pages > 1 else ""
    return f"{result.method} {url} -> {answer}{pages}"


def evidence(result: CheckResult, token_env: str) -> list[str]:
    """What a failed check carries besides its findings: the error, Truto's message, the start of a
    body that is not JSON, the request id, the rate-limit waits, the reproduce command."""
    lines = []
    if result.error:
        lines.append(f"error: {result.error}")
    if result.message:
        lines.append(f"Truto's message: {result.message}")
    if result.snippet:
        lines.append(f"body (first {len(result.snippet.encode())} bytes, not JSON): {result.snippet!r}")
    if result.request_id:
        lines.append(f"request id: {result.request_id}")
    if result.rate_limit_wait or result.throttled:
        lines.append(f"waited {result.rate_limit_wait:.1f} s for the rate limit ({result.throttled} answer(s) 429)")
    lines.append(f"reproduce: {reproduce(result, token_env)}")
    return lines


def finding_line(finding: Finding) -> str:
    """One finding with where it is: `/result/3/created_at: ... [required] (interview 102, found absent)`."""
    where = []
    if finding.interview_id is not None:
        where.append(f"interview {finding.interview_id}")
    if finding.value_type:
        where.append(f"found {finding.value_type}")
    return f"{finding.violation}" + (f" ({', '.join(where)})" if where else "")


def locate(violation: Violation, body: Any) -> Finding:
    """Where a finding is, for people: its field path (`created_at`, `interviewers[].id`, `next_cursor`),
    the id of the interview it is in (the first object with an `id` on the way), the JSON type found."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in violation.pointer.split("/")[1:]]
    node, record, found = body, None, True
    for part in parts:
        if record is None and isinstance(node, dict) and "id" in node:
            record = node
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            found = False
            break
    if record is None and isinstance(node, dict) and "id" in node and found:
        record = node
    lead = 0
    while lead < len(parts) - 1 and (parts[lead] == "result" or parts[lead].isdigit()):
        lead += 1  # the envelope: /result/3/... is a field of interview 3
    path = ""
    for part in parts[lead:]:
        path += "[]" if part.isdigit() else (f".{part}" if path else part)
    interview = record.get("id") if isinstance(record, dict) else None
    return Finding(
        violation,
        field=path,
        interview_id=str(interview) if isinstance(interview, str | int) and not isinstance(interview, bool) else None,
        value_type=(json_type(node) if found else "absent") if parts else "",
    )


def classify(finding: Finding, strict_fields: bool, fields: frozenset[str] | None) -> Finding:
    """Additive changes are drift unless --strict-fields; with --fields, findings on other fields too."""
    if finding.violation.rule == ADDITIVE_RULE and not strict_fields:
        return replace(finding, kind=FindingKind.NOT_IN_CONTRACT)
    top = finding.field.split(".", 1)[0].split("[", 1)[0]
    if fields is not None and top and top not in fields and top in FIELD_BY_NAME:
        return replace(finding, kind=FindingKind.OUTSIDE_FIELDS)
    return finding
