"""Where the API is and how to talk to it (`Connection`): the settings the gate and the recorder
share, already validated (`contracts.live.options`), and the client they open."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from contracts.accounts import Account
from contracts.limits import RateLimit
from contracts.live.body import DEFAULT_MAX_BODY
from contracts.live.client import ApiClient
from contracts.live.clock import SYSTEM_CLOCK, Clock, Stop
from contracts.live.pacing import pacer_for
from contracts.live.retry import RetryPolicy


@dataclass(frozen=True)
class Connection:
    """Where the API is and how to talk to it: the settings the gate and the recorder share."""

    base_url: str
    accounts: tuple[Account, ...]
    token: str = field(repr=False)
    timeout: float = 15.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limit: RateLimit | str = "auto"
    """"auto" (Truto's published limits on Truto's host, the API's headers everywhere), "off", or a limit."""
    max_body: int = DEFAULT_MAX_BODY
    """Bytes of one answer at most, after decompression."""
    deadline: float | None = None
    """Seconds the whole run may take (None: no bound)."""
    page_ceiling: int = 10_000
    """Pages of one list walk at most (0: none)."""

    @contextmanager
    def client(
        self,
        clock: Clock = SYSTEM_CLOCK,
        *,
        given: ApiClient | None = None,
        stop: Stop | None = None,
        say: Callable[[str], None] | None = None,
    ) -> Iterator[ApiClient]:
        """A paced, retrying client for this connection, closed afterwards (`given` is used as it is and
        left open). LocalRequestError when the settings cannot even be sent (e.g. the token)."""
        if given is not None:
            yield given
            return
        api = ApiClient(
            self.base_url,
            self.token,
            timeout=self.timeout,
            retry=self.retry,
            pacer=pacer_for(self.base_url, self.rate_limit, clock),
            clock=clock,
            max_body=self.max_body,
            stop=stop if stop is not None else Stop(clock, self.deadline),
            say=say,
        )
        try:
            yield api
        finally:
            api.close()
