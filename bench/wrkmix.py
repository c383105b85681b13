"""A wrk Lua script for a fixed mix of requests, counting every status.

wrk sends whatever ``request()`` returns and calls ``response()`` for each
answer; the script cycles through the requests (a query marked ``unique``
gets a distinct trailing comment each time, so no cache can answer it),
counts statuses per thread, and at the end prints one ``SOAK {json}`` line
with the counts, socket errors and latency percentiles, which
``bench.soak`` reads instead of parsing wrk's human report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    unique: bool = False
    """Append a distinct comment to the query each time, so no cache can answer it."""


def lua_string(data: bytes) -> str:
    safe = (chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else f"\\{b}" for b in data)
    return '"' + "".join(safe) + '"'


def lua_script(requests: Sequence[Request]) -> str:
    """wrk's script: the requests in turn, each status counted, one JSON line at the end."""
    rows = []
    for r in requests:
        headers = ", ".join(
            f"[{lua_string(k.encode())}] = {lua_string(v.encode())}" for k, v in r.headers
        )
        body = lua_string(r.body) if r.body else "nil"
        rows.append(
            f"  {{{lua_string(r.method.encode())}, {lua_string(r.path.encode())}, "
            f"{{{headers}}}, {body}, {'true' if r.unique else 'false'}}},"
        )
    return "local reqs = {\n" + "\n".join(rows) + "\n}\n" + _LUA_BODY


_LUA_BODY = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  statuses = {}
  i = 0
  n = 0
end
function request()
  i = i % #reqs + 1
  local r = reqs[i]
  local path = r[2]
  if r[5] then
    n = n + 1
    path = path .. "%20%23" .. tid .. "-" .. n
  end
  return wrk.format(r[1], path, r[3], r[4])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do counts[k] = (counts[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(counts) do table.insert(parts, string.format('"%d": %d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'SOAK {"requests": %d, "seconds": %.3f, "bytes": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"latency_ms": {"p50": %.2f, "p99": %.2f, "max": %.2f}, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    table.concat(parts, ", ")))
end
"""
