"""A CPU-time bound for the hostile-input tests (catastrophic patterns, YAML bombs, Markdown nested beyond reason).

What such a test guards against costs minutes of CPU when the code fails to refuse the input. Wall time would also
count whatever else the machine runs: a 5 s wall bound failed at load 11-14 on a case that costs 0.5 s of CPU.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Fail when the block used more than ``seconds`` of CPU: this process's (every thread) and its waited-for
    children's."""
    before = os.times()
    yield
    after = os.times()
    used = sum(b - a for a, b in zip(before[:4], after[:4], strict=True))
    assert used < seconds, f"{used:.1f} CPU s, more than the {seconds} s bound"
