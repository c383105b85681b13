"""How figures are written in ``RESULTS.md``, and reading them out of the results safely."""

from __future__ import annotations

import math
from typing import Any


def ms(value: float | None) -> str:
    """Milliseconds with about three significant digits."""
    if value is None or math.isnan(value):
        return "n/a"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def rps(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def mib(kib: float | None) -> str:
    return "n/a" if not kib else f"{kib / 1024:,.0f} MiB"


def get(data: Any, *keys: str) -> Any:
    """``data[k1][k2]…``, or None where a key is missing."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def num(data: Any, *keys: str) -> float:
    """A number from the results, NaN where it is missing."""
    value = get(data, *keys)
    return float(value) if isinstance(value, int | float) else math.nan


def hit_rate(cache: dict[str, int] | None) -> str:
    if not cache or not (cache.get("hits", 0) + cache.get("misses", 0)):
        return "n/a"
    hits, misses = cache.get("hits", 0), cache.get("misses", 0)
    return f"{hits / (hits + misses):.1%} ({misses:,} misses)"


def verdict(met: bool) -> str:
    return "**met**" if met else "**missed**"


def names(items: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in items) if items else "none"


def http_workers(meta: dict[str, Any]) -> str:
    """kgpub's HTTP workers in a run, counted in words: "1 HTTP worker", "2 HTTP workers"."""
    count = meta.get("kgpub_workers", "n/a")
    return f"{count} HTTP worker" + ("" if count == 1 else "s")
