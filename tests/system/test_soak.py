"""The soak of ``bench/soak.py``, short: 20 s of mixed load on a real ``kgpub serve``.

Reads get 200 only, bad requests 4xx only, runaway queries the deadline's 503
only, ``/validate`` abuse its limits' 200/413/422/503 only; no socket errors;
the server still answers afterwards and its process memory is flat. The
ten-minute figures are in ``bench/SOAK.md``. wrk is installed by
``scripts/setup-load``.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from bench import soak, wrkmix

pytestmark = [pytest.mark.external, pytest.mark.slow]

SECONDS = 20.0


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (scripts/setup-load installs it with apt-get as root)")
    return soak.run(SECONDS, connections=8, warmup=4.0)


def test_every_answer_is_an_intended_one(report: dict[str, Any]) -> None:
    for name, result in report["classes"].items():
        assert result["unexpected"] == {}, f"{name}: {result['statuses']}"
        assert sum(result["socket_errors"].values()) == 0, f"{name}: {result['socket_errors']}"
    assert report["errors"] == 0
    assert report["server_alive_after"]


def test_each_class_was_really_exercised(report: dict[str, Any]) -> None:
    classes = report["classes"]
    assert classes["reads"]["statuses"].get(200, 0) > 100
    assert len(classes["bad"]["statuses"]) >= 5  # 400, 403, 404, 405, 406, 413, 415
    assert classes["runaway"]["statuses"].get(503, 0) >= 5  # each one killed at its deadline
    validate = classes["validate"]["statuses"]
    assert validate.get(413, 0) >= 1  # over the size limit, refused before any worker
    # Uploads that reached a validation worker: a report, a limit, or its deadline
    # (one worker by default, so on a busy machine the deadline answers most).
    assert sum(validate.get(status, 0) for status in (200, 422, 503)) >= 1


def test_server_memory_is_flat(report: dict[str, Any]) -> None:
    server = report["memory"]["server"]
    assert report["memory"]["samples"] >= SECONDS * 0.8
    assert server["flat"], server


def test_report_renders(report: dict[str, Any]) -> None:
    text = soak.markdown(report)
    assert "| reads |" in text
    assert "whole process tree" in text


def test_lua_strings_survive_any_byte() -> None:
    assert wrkmix.lua_string(b'a"b\\c\n\xff') == '"a\\34b\\92c\\10\\255"'
