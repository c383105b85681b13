"""What the benchmark ran on: machine, load, versions; written into RESULTS.md.

Figures mean little without the machine and software behind them, so every
report carries them; kept apart from the runner so the runner is about runs.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.measure import proc_stats, process_tree

REPO = Path(__file__).resolve().parents[1]


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "mem_total_kib": mem_kib,
        "cpu_model": cpu,
        "kernel": platform.release(),
    }


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "unknown"


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def commit() -> str:
    """The checkout's commit, short; empty outside a git checkout."""
    return _git("rev-parse", "--short", "HEAD")


def versions(load_generator: str) -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("kgpub", "pyoxigraph", "fastapi", "starlette", "uvicorn", "httptools", "uvloop"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    dirty = _git("status", "--porcelain", "--", "server")
    found["kgpub commit"] = (commit() or "unknown") + (
        " + uncommitted server/ changes" if dirty else ""
    )
    found["load generator"] = load_generator
    return found


def wrk_version() -> str | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    done = subprocess.run(
        [wrk, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk"


# -- other work on the machine --------------------------------------------------------

_TICK = float(os.sysconf("SC_CLK_TCK"))


def _busy_seconds() -> float:
    """Seconds all CPUs spent busy since boot (user, nice, system, irq, softirq, steal)."""
    fields = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICK


def _tree_cpu(root: int) -> dict[tuple[int, int], float]:
    """CPU seconds used so far by ``root`` and each of its descendants, keyed by (pid, start)."""
    stats = proc_stats()
    found: dict[tuple[int, int], float] = {}
    for pid in process_tree(root, stats):
        after = stats.get(pid)
        if after is not None:  # the fields after the name: utime [11], stime [12], start [19]
            found[(pid, int(after[19]))] = (int(after[11]) + int(after[12])) / _TICK
    return found


class CpuMeter:
    """How much CPU other work took while a phase of the benchmark ran.

    A thread samples this process's tree (runner, servers and their workers,
    load generator) four times a second; whatever else kept the CPUs busy
    meanwhile (other users' processes, the hypervisor's steal time) is
    *foreign*, reported as an average number of cores. Processes that live
    less than a sample interval are missed and counted as foreign, which errs
    on the side of calling a phase disturbed.
    """

    def __init__(self) -> None:
        self._root = os.getpid()
        self._first: dict[tuple[int, int], float] = {}
        self._last: dict[tuple[int, int], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)
        self._busy = 0.0
        self._wall = 0.0

    def __enter__(self) -> CpuMeter:
        self._first = _tree_cpu(self._root)
        self._last = dict(self._first)
        self._busy = _busy_seconds()
        self._wall = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._last.update(_tree_cpu(self._root))
        self._busy = _busy_seconds() - self._busy
        self._wall = time.monotonic() - self._wall

    def _sample_until_stopped(self) -> None:
        while not self._stop.wait(0.25):
            self._last.update(_tree_cpu(self._root))

    @property
    def foreign_cores(self) -> float:
        ours = sum(cpu - self._first.get(key, 0.0) for key, cpu in self._last.items())
        return max(0.0, self._busy - ours) / self._wall if self._wall > 0 else 0.0

    @property
    def own_cores(self) -> float:
        ours = sum(cpu - self._first.get(key, 0.0) for key, cpu in self._last.items())
        return ours / self._wall if self._wall > 0 else 0.0
