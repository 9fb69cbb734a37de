"""What the benchmarks share: pinning the timed work to one CPU and reading the machine's load."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


def _allowed_cpus() -> set[int] | None:
    getter = getattr(os, "sched_getaffinity", None)
    return set(getter(0)) if getter is not None else None


@contextlib.contextmanager
def pinned_to_one_cpu() -> Iterator[str]:
    """Run the block on the lowest allowed CPU; yields how (or why not) the process was pinned."""
    allowed = _allowed_cpus()
    setter = getattr(os, "sched_setaffinity", None)
    if allowed is None or setter is None:
        yield "not pinned (os.sched_setaffinity is not available on this OS)"
        return
    cpu = min(allowed)
    setter(0, {cpu})
    try:
        yield f"single-photo stages pinned to CPU {cpu} with os.sched_setaffinity"
    finally:
        setter(0, allowed)


def current_load_average() -> tuple[float, float, float] | None:
    """The 1, 5 and 15 minute load averages, where the OS reports them."""
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return None


def load_average_text() -> str:
    """The load averages as written in a report: ``"0.52, 0.61, 0.70"`` or ``"not available"``."""
    load = current_load_average()
    return "not available" if load is None else ", ".join(f"{v:.2f}" for v in load)
