"""What the benchmark ran on: machine, load, versions; written into RESULTS.md.

Figures mean little without the machine and software behind them, so every
report carries them; kept apart from the runner so the runner is about runs.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

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


def versions(load_generator: str) -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("kgpub", "pyoxigraph", "fastapi", "starlette", "uvicorn", "httptools", "uvloop"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--", "server")
    found["kgpub commit"] = (commit or "unknown") + (
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
