"""Small helpers shared by the runner and its subprocesses: percentiles, memory, timing loops."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Latency:
    """Sequential latencies of one query, in milliseconds."""

    samples: int
    p50: float
    p95: float
    p99: float
    mean: float
    body_bytes: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Latency:
        return cls(**data)


def percentile(sorted_values: list[float], q: float) -> float:
    """The nearest-rank percentile ``q`` (0-100) of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def latency(seconds: list[float], body_bytes: int) -> Latency:
    ms = sorted(s * 1000 for s in seconds)
    return Latency(
        samples=len(ms),
        p50=percentile(ms, 50),
        p95=percentile(ms, 95),
        p99=percentile(ms, 99),
        mean=sum(ms) / len(ms) if ms else math.nan,
        body_bytes=body_bytes,
    )


def time_repeatedly(
    call: Callable[[], int], *, seconds: float, max_samples: int, min_samples: int, warmup: int
) -> Latency:
    """Time ``call`` (which returns the answer's size) sequentially.

    At least ``min_samples`` and at most ``max_samples`` timed calls, stopping
    once ``seconds`` have passed; ``warmup`` untimed calls first.
    """
    size = 0
    for _ in range(warmup):
        size = call()
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    for i in range(max_samples):
        if i >= min_samples and time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        size = call()
        times.append(time.perf_counter() - started)
    return latency(times, size)


def proc_kib(path: Path, field: str) -> int:
    """A ``kB`` field (VmRSS, VmHWM, Pss, ...) of a ``/proc`` file, in KiB; 0 if unavailable."""
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def proc_stats() -> dict[int, list[str]]:
    """For every process now: the fields of ``/proc/<pid>/stat`` after its command name
    (so ``[1]`` is the parent's pid, ``[11]``/``[12]`` user/system ticks, ``[19]`` start)."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        stats[int(entry.name)] = text.rsplit(")", 1)[1].split()
    return stats


def process_tree(pid: int, stats: dict[int, list[str]] | None = None) -> list[int]:
    """``pid`` and all its descendants (``pid`` first), from ``stats`` or a fresh look."""
    children: dict[int, list[int]] = {}
    for child, fields in (stats if stats is not None else proc_stats()).items():
        children.setdefault(int(fields[1]), []).append(child)
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def _status_kib(pid: int | str, field: str) -> int:
    return proc_kib(Path(f"/proc/{pid}/status"), field)


def rss_kib(pid: int | str = "self") -> int:
    return _status_kib(pid, "VmRSS")


def peak_rss_kib(pid: int | str = "self") -> int:
    return _status_kib(pid, "VmHWM")


REPO = Path(__file__).resolve().parents[1]
SUBPROCESS_TIMEOUT = 3600.0


def run_json(args: list[str], timeout: float = SUBPROCESS_TIMEOUT) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
