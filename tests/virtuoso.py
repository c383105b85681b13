"""A throw-away Virtuoso for the remote-backend tests: own database, loopback only.

Debian's ``virtuoso-opensource-7-bin`` (installed by ``scripts/setup-virtuoso``)
is started with a virtuoso.ini written here: database, logs and ports of its
own (HTTP and ISQL bound to 127.0.0.1 on free ports), a small buffer pool, and
a fresh ``dba`` password set over ISQL before any test writes. ``stop`` ends
the process; the pytest fixture's temporary directory takes the database.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 0
"""


class VirtuosoUnavailableError(Exception):
    """Virtuoso is not installed or did not start; the message says why."""


@dataclass
class Virtuoso:
    """A running throw-away Virtuoso."""

    directory: Path
    http_port: int
    isql_port: int
    password: str
    process: subprocess.Popen[bytes]
    started_in: float

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint for writes (Digest authentication)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    def isql(self, statement: str) -> str:
        """Run one SQL statement as dba; its output."""
        isql = shutil.which("isql-vt")
        assert isql is not None
        done = subprocess.run(
            [isql, f"127.0.0.1:{self.isql_port}", "dba", self.password, f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_tail(self, lines: int = 20) -> str:
        log = self.directory / "virtuoso.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start(directory: Path, ready_within: float = 90.0) -> Virtuoso:
    """Start Virtuoso on a new database in ``directory``; ``VirtuosoUnavailableError`` if not."""
    binary = shutil.which("virtuoso-t")
    if binary is None or shutil.which("isql-vt") is None:
        raise VirtuosoUnavailableError(
            "Virtuoso is not installed (virtuoso-t, isql-vt); scripts/setup-virtuoso installs "
            "Debian's virtuoso-opensource-7-bin where it has root and apt-get"
        )
    directory.mkdir(parents=True, exist_ok=True)
    http_port, isql_port = _free_port(), _free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(dir=directory, http_port=http_port, isql_port=isql_port))
    started = time.perf_counter()
    output = (directory / "stdout.log").open("wb")
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=directory,
        stdout=output,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    output.close()
    server = Virtuoso(directory, http_port, isql_port, "dba", process, 0.0)
    url = server.endpoint
    while not _answers(url):
        if process.poll() is not None or time.perf_counter() - started > ready_within:
            server.stop()
            raise VirtuosoUnavailableError(
                f"Virtuoso did not start (exit code {process.returncode}):\n{server.log_tail()}"
            )
        time.sleep(0.2)
    server.started_in = time.perf_counter() - started
    password = secrets.token_hex(12)
    try:
        server.isql(f"USER_SET_PASSWORD('dba', '{password}');")
    except (subprocess.SubprocessError, OSError) as exc:
        server.stop()
        raise VirtuosoUnavailableError(f"could not set Virtuoso's dba password: {exc}") from exc
    server.password = password
    return server
