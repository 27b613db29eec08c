"""Real stores for the tests: Oxigraph's server, Virtuoso, Jena TDB2, and a basic-auth proxy.

Each server binds to 127.0.0.1 on a free port and is stopped by its context manager.
Each store is also loaded the way its own documentation loads a dump (``oxigraph load``,
Virtuoso's bulk loader through ``isql``, ``tdb2.tdbloader``), as docs/guide/release.md says.
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


def wait_until_it_answers(process: subprocess.Popen, query_url: str, *, name: str, seconds: float,
                          pause: float = 0.1, log: str = "") -> bool:
    """Poll ``ASK {}`` at ``query_url`` until it answers 200 (True) or ``seconds`` pass (False);
    raise if the server process exits first (naming ``log`` to read)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}" + (f"; see {log}" if log else ""))
        try:
            if httpx.get(query_url, params={"query": "ASK {}"}, timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(pause)
    return False


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary of the ``oxigraph`` PyPI package (a test dependency)."""
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph server binary is missing: pip install oxigraph (it is in the test extra)")
    return found


def oxigraph_load(location: Path, *files: Path) -> None:
    """Oxigraph's offline bulk loader: ``oxigraph load --location DIR --file F`` for each file."""
    for path in files:
        subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(path)],
                       check=True, capture_output=True)


class OxigraphServer:
    """``oxigraph serve`` on loopback over a folder that survives restarts.

    ``union_default_graph``: serve with ``--union-default-graph`` (the default graph is
    the union of the named graphs, as the release guide's recipe for the quad dumps does).
    """

    def __init__(self, location: Path, *, union_default_graph: bool = False) -> None:
        self.location = location
        self.union_default_graph = union_default_graph
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
        union = ["--union-default-graph"] if self.union_default_graph else []
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}", *union],
            stdout=log, stderr=subprocess.STDOUT,
        )
        if wait_until_it_answers(self.process, self.query_url, name="oxigraph", seconds=30):
            return self
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
    """Forwards every request to ``upstream`` once it carries the right Basic credentials.

    ``lose_answers_to`` (``"POST"`` or ``"POST /update"``): forward those requests, then close
    the connection without answering, or answer ``lost_answer_status`` (504: a gateway that
    stopped waiting). ``hold_requests_to``: forward those only after
    ``hold_seconds``, as a busy server would start them late. ``drop_then_forward_to``:
    close the connection at once without an answer, and forward the request
    ``hold_seconds`` later, as a gateway that gives up while the server goes on. Its own
    ``Server`` header hides the upstream's (as nginx does by default) unless ``pass_server_header``.
    """

    def __init__(self, upstream: str, user: str, password: str, *, lose_answers_to: str | None = None,
                 lost_answer_status: int | None = None, hold_requests_to: str | None = None,
                 hold_seconds: float = 0.0, pass_server_header: bool = False,
                 drop_then_forward_to: str | None = None) -> None:
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        client = httpx.Client(timeout=30)

        class Handler(BaseHTTPRequestHandler):
            upstream_server: str | None = None

            def version_string(self) -> str:
                return self.upstream_server or super().version_string()

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
                request = (self.command, f"{self.command} {self.path.split('?')[0]}")
                if drop_then_forward_to in request:
                    late = threading.Timer(hold_seconds, client.request,
                                           (self.command, upstream + self.path), {"content": body, "headers": headers})
                    late.start()
                    self.close_connection = True
                    return
                if hold_requests_to in request:
                    time.sleep(hold_seconds)
                response = client.request(self.command, upstream + self.path, content=body, headers=headers)
                if lose_answers_to in request:
                    # the server acted, but its answer is lost
                    if lost_answer_status is not None:
                        self.send_response(lost_answer_status)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    self.close_connection = True
                    return
                if pass_server_header:
                    self.upstream_server = response.headers.get("server")
                self.send_response(response.status_code)
                for key, value in response.headers.items():
                    if key.lower() not in ("transfer-encoding", "content-length", "connection", "content-encoding", "server"):
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


def isql_binary() -> str | None:
    """Virtuoso's SQL client (``isql-vt`` on Debian, ``isql`` in OpenLink's own builds)."""
    return shutil.which("isql-vt") or shutil.which("isql-v")


class VirtuosoServer:
    """A throw-away Virtuoso (database in a temporary folder) on loopback ports.

    A fresh database has the account ``dba`` with password ``dba``; its authenticated
    endpoints use HTTP Digest. :meth:`bulk_load` runs the release guide's bulk-loader
    recipe through ``isql``; :meth:`restart` stops and starts the server on the same
    database (Virtuoso plans queries differently before and after a restart).
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

    @property
    def query_url(self) -> str:
        """The public SPARQL endpoint (no login; its default graph is the union of all graphs)."""
        return f"{self.base}/sparql"

    def start(self) -> "VirtuosoServer":
        log = open(self.folder / "console.log", "ab")
        self.process = subprocess.Popen(
            [virtuoso_binary(), "+foreground", "+configfile", str(self.folder / "virtuoso.ini")],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.folder,
        )
        if wait_until_it_answers(self.process, self.query_url, name="virtuoso", seconds=90, pause=0.3,
                                 log=f"{self.folder}/console.log"):
            return self
        self.stop()
        raise RuntimeError("virtuoso did not start within 90 s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None

    def restart(self) -> "VirtuosoServer":
        """Checkpoint, stop and start again on the same database."""
        self.isql("checkpoint;")
        self.stop()
        return self.start()

    def isql(self, sql: str) -> str:
        """Run SQL statements through ``isql`` as ``dba``; raise if Virtuoso reports an error."""
        done = subprocess.run(
            [isql_binary(), str(self.sql_port), self.user, self.password, f"exec={sql}"],
            capture_output=True, text=True, timeout=600,
        )
        if done.returncode != 0 or "*** Error" in done.stderr or "*** Error" in done.stdout:
            raise RuntimeError(f"isql failed on {sql!r}: {done.stderr or done.stdout}")
        return done.stdout

    def bulk_load(self, path: Path, graph: str) -> None:
        """The release guide's recipe: ``ld_dir``, ``rdf_loader_run``, ``checkpoint``.

        ``path`` is copied into the server's folder (its ``DirsAllowed``); ``graph`` is the
        graph for triples (N-Quads and TriG keep their own graph names).
        """
        target = self.folder / path.name
        if target.resolve() != path.resolve():
            shutil.copyfile(path, target)
        self.isql(f"ld_dir('{self.folder}', '{path.name}', '{graph}'); rdf_loader_run(); checkpoint;")
        errors = self.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
        if "0 Rows." not in errors:
            raise RuntimeError(f"the bulk loader reported an error: {errors}")

    def __enter__(self) -> "VirtuosoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def java_binary() -> str | None:
    return shutil.which("java")


#: The jars of Debian's Jena 4.5 (packages libjena-*-java) that ARQ and TDB2 need. Naming
#: them avoids the logging bindings that clash when all of /usr/share/java is on the path.
JENA_JARS = (
    "jena-arq", "jena-base", "jena-core", "jena-iri", "jena-tdb", "jena-tdb2", "jena-dboe-base",
    "jena-dboe-index", "jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction", "jena-cmds",
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3",
    "dexx.collection", "gson", "guava", "jsonld-java", "jackson-core", "jackson-databind", "jackson-annotations",
    "httpclient", "httpcore", "titanium-json-ld", "jakarta.json-api", "protobuf", "thrift", "slf4j-api", "slf4j-nop",
)
JAVA_LIBRARIES = Path("/usr/share/java")


def jena_available() -> bool:
    """Jena's jars, a Java runtime, and ``javac`` (the endpoint runs as a single-file program)."""
    return java_binary() is not None and shutil.which("javac") is not None \
        and all((JAVA_LIBRARIES / f"{jar}.jar").is_file() for jar in JENA_JARS)


def jena_classpath(workdir: Path) -> str:
    """The class path for Jena's commands, with the resources Debian's jena-core misplaces.

    Debian's jena-core 4.5 moves the bundled Xerces classes to the package ``xerces`` but
    leaves their message bundles under ``org/apache/jena/ext/xerces``; Xerces' regular
    expressions then fail at class initialisation ("internal error"), and with them every
    XSD datatype. The bundles are copied to where the classes look for them.
    """
    import zipfile

    resources = workdir / "jena-resources"
    if not resources.is_dir():
        with zipfile.ZipFile(JAVA_LIBRARIES / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                    target = resources / name.replace("org/apache/jena/ext/xerces/", "xerces/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    return ":".join([str(resources), *(str(JAVA_LIBRARIES / f"{jar}.jar") for jar in JENA_JARS)])


def tdb2_load(location: Path, *files: Path) -> None:
    """Jena's bulk loader into a TDB2 database: ``tdb2.tdbloader --loc DIR FILE...``."""
    subprocess.run([java_binary(), "-cp", jena_classpath(location.parent), "tdb2.tdbloader", "--loc", str(location),
                    *map(str, files)], check=True, capture_output=True)


def tdb2_query(location: Path, query: str, *, union_default_graph: bool = False) -> str:
    """``tdb2.tdbquery`` (the command line, as a user runs it): results as SPARQL JSON text."""
    import tempfile

    union = ["--set", "tdb:unionDefaultGraph=true"] if union_default_graph else []
    with tempfile.NamedTemporaryFile("w", suffix=".rq", dir=location.parent, encoding="utf-8") as file:
        file.write(query)
        file.flush()
        done = subprocess.run([java_binary(), "-cp", jena_classpath(location.parent), "tdb2.tdbquery", "--loc",
                               str(location), *union, "--results", "json", "--query", file.name],
                              check=True, capture_output=True, text=True)
    return done.stdout


#: A SPARQL Protocol query endpoint over a TDB2 database, in 50 lines of Java: Jena's own
#: ARQ engine and results writer, as Fuseki would run them (Fuseki is not packaged in
#: Debian). ``union`` sets ``tdb:unionDefaultGraph``, as Fuseki's configuration does.
JENA_ENDPOINT_JAVA = r"""
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.apache.jena.query.*;
import org.apache.jena.system.Txn;
import org.apache.jena.tdb2.TDB2;
import org.apache.jena.tdb2.TDB2Factory;

public class JenaEndpoint {
  public static void main(String[] args) throws Exception {
    Dataset dataset = TDB2Factory.connectDataset(args[0]);
    boolean union = args[2].equals("union");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1])), 0);
    server.createContext("/query", exchange -> {
      int status = 200;
      byte[] answer;
      String type = "application/sparql-results+json";
      try {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String form = exchange.getRequestMethod().equals("POST") ? body : exchange.getRequestURI().getRawQuery();
        String text = null;
        for (String pair : form == null ? new String[0] : form.split("&")) {
          int eq = pair.indexOf('=');
          String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
          String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
          if (key.equals("query")) text = value;
          else if (!key.isEmpty()) throw new IllegalArgumentException("unsupported parameter " + key);
        }
        Query query = QueryFactory.create(text);
        answer = Txn.calculateRead(dataset, () -> {
          try (QueryExecution execution = QueryExecutionFactory.create(query, dataset)) {
            execution.getContext().set(TDB2.symUnionDefaultGraph, union);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (query.isAskType()) ResultSetFormatter.outputAsJSON(out, execution.execAsk());
            else ResultSetFormatter.outputAsJSON(out, execution.execSelect());
            return out.toByteArray();
          }
        });
      } catch (Exception error) {
        status = 400;
        type = "text/plain";
        answer = String.valueOf(error).getBytes(StandardCharsets.UTF_8);
      }
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, answer.length);
      try (OutputStream out = exchange.getResponseBody()) { out.write(answer); }
    });
    server.start();
  }
}
"""


class JenaServer:
    """Jena ARQ over a TDB2 database, answering the SPARQL Protocol on loopback.

    ``union_default_graph``: the default graph is the union of the named graphs
    (``tdb:unionDefaultGraph``), as for a TDB2 database loaded from the quad dumps.
    """

    def __init__(self, location: Path, *, union_default_graph: bool = False) -> None:
        self.location = location
        self.union_default_graph = union_default_graph
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def __enter__(self) -> "JenaServer":
        source = self.location.parent / f"jena-{self.port}" / "JenaEndpoint.java"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(JENA_ENDPOINT_JAVA)
        log = open(source.parent / "jena.log", "ab")
        self.process = subprocess.Popen(
            [java_binary(), "-cp", jena_classpath(self.location.parent), str(source), str(self.location), str(self.port),
             "union" if self.union_default_graph else "default"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        if wait_until_it_answers(self.process, self.query_url, name="the Jena endpoint", seconds=120, pause=0.3,
                                 log=f"{source.parent}/jena.log"):
            return self
        self.__exit__()
        raise RuntimeError("the Jena endpoint did not start within 120 s")

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None
