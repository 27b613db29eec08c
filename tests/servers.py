"""Real servers for the tests: an Oxigraph SPARQL server and a tiny basic-auth reverse proxy.

Both bind to 127.0.0.1 on a free port and are stopped by their context managers.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary of the ``oxigraph`` PyPI package (a test dependency)."""
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph server binary is missing: pip install oxigraph (it is in the test extra)")
    return found


class OxigraphServer:
    """``oxigraph serve`` on loopback over a folder that survives restarts."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    def start(self) -> "OxigraphServer":
        log = open(self.location.parent / f"oxigraph-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited with {self.process.returncode}")
            try:
                httpx.get(self.query_url, params={"query": "ASK {}"}, timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph did not start within 30 s")

    def stop(self, crash: bool = False) -> None:
        """Stop the server (``crash``: SIGKILL, as a power cut would)."""
        if self.process is None:
            return
        if crash:
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None

    def __enter__(self) -> "OxigraphServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class BasicAuthProxy:
    """Forwards every request to ``upstream`` once it carries the right Basic credentials."""

    def __init__(self, upstream: str, user: str, password: str, *, lose_answers_to: str | None = None) -> None:
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        client = httpx.Client(timeout=30)

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="test"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "authorization", "content-length")}
                response = client.request(self.command, upstream + self.path, content=body, headers=headers)
                if lose_answers_to in (self.command, f"{self.command} {self.path.split('?')[0]}"):
                    # the server acted, but its answer is lost
                    self.close_connection = True
                    return
                self.send_response(response.status_code)
                for key, value in response.headers.items():
                    if key.lower() not in ("transfer-encoding", "content-length", "connection", "content-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            do_GET = do_PUT = do_POST = do_DELETE = _forward

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._client = client

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/query"

    def __enter__(self) -> "BasicAuthProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._client.close()
        self.thread.join(timeout=10)


#: A minimal virtuoso.ini: database in the test's folder, both ports on loopback.
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
"""


def virtuoso_binary() -> str | None:
    """``virtuoso-t`` from Debian's ``virtuoso-opensource`` package, if installed."""
    return shutil.which("virtuoso-t")


class VirtuosoServer:
    """A throw-away Virtuoso (database in a temporary folder) on loopback ports.

    A fresh database has the account ``dba`` with password ``dba``; its authenticated
    endpoints use HTTP Digest.
    """

    user = "dba"
    password = "dba"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        ini = VIRTUOSO_INI.format(folder=folder, sql_port=self.sql_port, http_port=self.http_port)
        (folder / "virtuoso.ini").write_text(ini)
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def __enter__(self) -> "VirtuosoServer":
        log = open(self.folder / "console.log", "ab")
        self.process = subprocess.Popen(
            [virtuoso_binary(), "+foreground", "+configfile", str(self.folder / "virtuoso.ini")],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.folder,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso exited with {self.process.returncode}; see {self.folder}/console.log")
            try:
                if httpx.get(f"{self.base}/sparql", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError("virtuoso did not start within 90 s")

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None
