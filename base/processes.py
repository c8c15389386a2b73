"""How many processes a command may run at once: the CPUs this process may use.

A container's or taskset's limit (``sched_getaffinity``) where the platform has one, else the machine's CPUs: the
number ``kb`` builds with and ``csops rules replay`` shares the accounts among by default.
"""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """The CPUs this process may run on (at least one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
