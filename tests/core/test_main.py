"""The ``kgpub`` command's main module stays small, so worker processes start light.

multiprocessing re-imports the starting process's main module in every query
worker; these tests pin what that module may pull in.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

HEAVY = ("rdflib", "pyshacl", "pyld", "fastapi", "kgpub.cli.main")


def test_the_main_module_imports_nothing_heavy() -> None:
    probe = (
        f"import sys, kgpub.__main__\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_console_script_enters_through_it() -> None:
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "kgpub"]
    assert script.value == "kgpub.__main__:main"


def test_python_dash_m_kgpub_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kgpub", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "serve" in result.stdout
