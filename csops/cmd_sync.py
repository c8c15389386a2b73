"""``csops sync``, ``status``, ``alerts``, ``demo`` (the cron job and its reports)."""

from __future__ import annotations
