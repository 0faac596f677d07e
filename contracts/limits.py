"""Truto's published rate limits, as one fact: the mock enforces them, the gate paces by them.

Truto allows 500 requests per 10 s per API token and 50 per 10 s per integrated account (unified
and proxy APIs together), and answers 429 with `Retry-After` beyond that [T-ratelimits, T-err-model].
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """`requests` allowed in any `seconds`."""

    requests: int
    seconds: float

    @property
    def header(self) -> str:
        """The `ratelimit-limit` value Truto sends, e.g. `50;w=10`."""
        return f"{self.requests};w={self.seconds:g}"

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


@dataclass(frozen=True)
class TrutoLimits:
    per_token: RateLimit
    per_account: RateLimit

    def describe(self) -> str:
        return (
            f"{self.per_token.requests} per token, {self.per_account.requests} per integrated account"
            f" per {self.per_account.seconds:g} s"
        )


TRUTO_LIMITS = TrutoLimits(per_token=RateLimit(500, 10.0), per_account=RateLimit(50, 10.0))
"""Truto's own limits (documented)."""
