"""The ``store`` and ``sync`` sections of csops.yaml."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.http import RetryPolicy


@dataclass
class StoreConfig:
    url: str = "sqlite:///.csops/state.db"
    #: PostgreSQL run lock: how long a run's lease lasts without renewal (renewed every third of it); a run
    #: whose host died releases the lock within this time.
    lease_seconds: float = 60.0


@dataclass
class SyncConfig:
    max_attempts: int = 6
    max_retry_wait_seconds: float = 300.0
    connect_timeout_seconds: float = 10.0
    retry_backoff_seconds: float = 0.5
    max_status_change_pct: float = 20.0
    max_no_phases_pct: float = 10.0
    #: How long the write log keeps a write (days); each sync forgets older ones.
    write_log_days: int = 400

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(max_attempts=self.max_attempts, max_wait_seconds=self.max_retry_wait_seconds,
                           connect_timeout=self.connect_timeout_seconds, backoff_base=self.retry_backoff_seconds)
