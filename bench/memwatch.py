"""Resident memory of a process and its descendants over time, and whether it stayed flat.

Read from ``/proc`` (Linux, like wrk): VmRSS of the process, and of every
descendant found through ``/proc/<pid>/task/<tid>/children``, once a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.measure import proc_kib, process_tree


def _rss_kib(pid: int) -> int:
    return proc_kib(Path(f"/proc/{pid}/status"), "VmRSS")


class MemorySampler(threading.Thread):
    """RSS of the server process and of its process tree, once a second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, int, int, int]] = []  # seconds, main, tree KiB, processes
        self._done = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self._done.wait(1.0):
            tree = process_tree(self.pid)[1:]
            main = _rss_kib(self.pid)
            total = main + sum(_rss_kib(pid) for pid in tree)
            self.samples.append((time.monotonic() - started, main, total, 1 + len(tree)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def memory_summary(
    samples: Sequence[tuple[float, int, int, int]], max_growth: float
) -> dict[str, Any]:
    """First- and last-quarter figures of each series, and whether memory stayed flat.

    The server process lives through the whole run: flat when its last-quarter
    mean is within ``max_growth`` of its first-quarter mean. Query workers are
    killed at every deadline and replaced, and a runaway query holds memory
    until it is killed, so the tree's total swings; it is flat when its
    last-quarter mean stays within ``max_growth`` of the highest total of the
    first quarter (a leak would lift the mean past the early peaks).
    """
    quarter = max(1, len(samples) // 4)
    out: dict[str, Any] = {"samples": len(samples), "max_growth": max_growth}
    for index, name in ((1, "server"), (2, "tree")):
        values = [s[index] for s in samples] or [0]
        first, last = values[:quarter], values[-quarter:]
        first_mean, last_mean = sum(first) / len(first), sum(last) / len(last)
        out[name] = {
            "first_quarter_mib": round(first_mean / 1024, 1),
            "last_quarter_mib": round(last_mean / 1024, 1),
            "first_quarter_max_mib": round(max(first) / 1024, 1),
            "max_mib": round(max(values) / 1024, 1),
            "growth": round(last_mean / first_mean - 1, 4) if first_mean else 0.0,
        }
    out["server"]["flat"] = out["server"]["growth"] <= max_growth
    tree = out["tree"]
    tree["flat"] = tree["last_quarter_mib"] <= tree["first_quarter_max_mib"] * (1 + max_growth)
    out["flat"] = out["server"]["flat"] and tree["flat"]
    out["processes_max"] = max((s[3] for s in samples), default=0)
    out["series"] = [[round(t), main, total] for t, main, total, _ in samples]
    return out
