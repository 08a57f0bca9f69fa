"""A private Virtuoso 7 instance on loopback: start, configure, bulk-load, checkpoint, stop.

Used by the test suite and the benchmarks, and handy for trying ``kg --endpoint`` by hand::

    with VirtuosoInstance.start(Path("/tmp/v")) as v:
        print(v.endpoint, v.writer, v.writer_password)

It follows the recipe in ``../shared/notes/virtuoso.md``: its own folder and ini (copied from the Debian
package), both ports bound to 127.0.0.1 and chosen free, the ``dba`` password changed before anything else,
a writer account with the ``SPARQL_UPDATE`` role for ``/sparql-auth`` (HTTP Digest), ``ResultSetMaxRows``
raised so results are not cut silently, and ``DirsAllowed`` holding the load folder.

Checkpoints: the bulk loader runs without the transaction log, so :meth:`VirtuosoInstance.bulk_load` always
ends with ``checkpoint;``. For loads over HTTP (``kg build --endpoint``), :meth:`VirtuosoInstance.setup`
installs ``DB.DBA.KG_CHECKPOINT()``, a procedure the writer may execute, which SPARQL reaches as
``sql:KG_CHECKPOINT()``; :meth:`kg.remote.endpoint.RemoteStore.checkpoint` calls it after each load.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from kg.errors import EndpointError

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
DEBIAN_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")

#: SQL run once as dba: the writer account and the checkpoint procedure it may call through SPARQL.
SETUP_SQL = """
DB.DBA.USER_CREATE('{writer}', '{password}');
GRANT SPARQL_UPDATE TO "{writer}";
CREATE PROCEDURE DB.DBA.KG_CHECKPOINT () {{ exec ('checkpoint'); return 1; }};
GRANT EXECUTE ON DB.DBA.KG_CHECKPOINT TO "{writer}";
GRANT EXECUTE ON DB.DBA.KG_CHECKPOINT TO "SPARQL_UPDATE";
"""


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to send SIGTERM when the process that started it dies, so a test
    run that is killed does not leave servers behind."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def available() -> bool:
    """True when the Virtuoso server and its SQL shell are installed (Debian ``virtuoso-opensource``)."""
    return shutil.which(VIRTUOSO) is not None and shutil.which(ISQL) is not None and DEBIAN_INI.is_file()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class VirtuosoInstance:
    """A running private Virtuoso server; stop it with :meth:`stop` (or use it as a context manager)."""

    folder: Path
    http_port: int
    isql_port: int
    dba_password: str
    writer: str
    writer_password: str
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        """The server's HTTP root."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def endpoint(self) -> str:
        """The anonymous, read-only SPARQL endpoint."""
        return self.base + "/sparql"

    @property
    def update_endpoint(self) -> str:
        """The SPARQL endpoint for writes (HTTP Digest)."""
        return self.base + "/sparql-auth"

    @classmethod
    def create(
        cls,
        folder: Path,
        *,
        load_dir: Path | None = None,
        max_rows: int = 1_000_000,
        max_seconds: int = 300,
        buffers: int = 170_000,
    ) -> VirtuosoInstance:
        """Write a fresh instance folder and ini (the server is not started)."""
        if not available():
            raise EndpointError(
                "Virtuoso is not installed: run `apt-get install -y virtuoso-opensource` "
                "(or bash scripts/system-deps.sh)."
            )
        folder = folder.resolve()
        folder.mkdir(parents=True, exist_ok=True)
        inst = cls(
            folder=folder,
            http_port=free_port(),
            isql_port=free_port(),
            dba_password=secrets.token_hex(12),
            writer="kg_writer",
            writer_password=secrets.token_hex(12),
        )
        while inst.isql_port == inst.http_port:
            inst.isql_port = free_port()
        allowed = ", ".join([".", "/usr/share/virtuoso-opensource-7/vad", str(load_dir or folder)])
        ini = DEBIAN_INI.read_text(encoding="utf-8")
        subs = [
            (r"/var/lib/virtuoso-opensource-7/db/", str(folder) + "/"),
            (r"(?m)^ServerPort\s*=\s*1111\s*$", f"ServerPort = 127.0.0.1:{inst.isql_port}"),
            (r"(?m)^ServerPort\s*=\s*8890\s*$", f"ServerPort = 127.0.0.1:{inst.http_port}"),
            (r"(?m)^DirsAllowed\s*=.*$", f"DirsAllowed = {allowed}"),
            (r"(?m)^NumberOfBuffers\s*=\s*\d+\s*$", f"NumberOfBuffers = {buffers}"),
            (r"(?m)^MaxDirtyBuffers\s*=\s*\d+\s*$", f"MaxDirtyBuffers = {buffers * 3 // 4}"),
            (r"(?m)^DefaultHost\s*=.*$", f"DefaultHost = localhost:{inst.http_port}"),
            (r"(?m)^ResultSetMaxRows\s*=.*$", f"ResultSetMaxRows = {max_rows}"),
            (r"(?m)^MaxQueryExecutionTime\s*=.*$", f"MaxQueryExecutionTime = {max_seconds}"),
            # The estimate is off by orders of magnitude (43 million seconds for a list that runs in under a
            # second at 1M statements); Virtuoso's maintainers say to comment it out, as it is "only meant for
            # use when debugging" (openlink/virtuoso-opensource#1395). MaxQueryExecutionTime bounds queries.
            (r"(?m)^MaxQueryCostEstimationTime\s*=", "; MaxQueryCostEstimationTime ="),
        ]
        for pattern, repl in subs:
            ini, n = re.subn(pattern, repl.replace("\\", "\\\\"), ini)
            if n == 0:
                raise EndpointError(f"{DEBIAN_INI}: no line matches {pattern!r}; is this Virtuoso 7?")
        (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
        return inst

    @classmethod
    def start(cls, folder: Path, **options: int | Path | None) -> VirtuosoInstance:
        """Create, start and set up a new instance in *folder* (which should be empty)."""
        inst = cls.create(folder, **options)  # type: ignore[arg-type]
        inst.run()
        try:
            inst.setup()
        except BaseException:
            inst.stop()
            raise
        return inst

    def run(self, timeout: float = 90.0) -> None:
        """Start the server process (in its own session) and wait until it is online."""
        log = self.folder / "stdout.log"
        offset = log.stat().st_size if log.exists() else 0
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [VIRTUOSO, "+foreground", "+configfile", str(self.folder / "virtuoso.ini")],
                cwd=self.folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = log.read_bytes()[offset:].decode("utf-8", "replace")
            if "Server online at" in text:
                return
            if self.process.poll() is not None:
                raise EndpointError(f"Virtuoso exited during start-up:\n{text[-2000:]}")
            time.sleep(0.1)
        self.stop()
        raise EndpointError(f"Virtuoso did not come online within {timeout:.0f} s; see {log}")

    def setup(self) -> None:
        """Change the dba password, create the writer and the checkpoint procedure."""
        self.isql("USER_SET_PASSWORD('dba', '" + self.dba_password + "');", password="dba")
        self.isql(SETUP_SQL.format(writer=self.writer, password=self.writer_password))

    def isql(self, sql: str, *, password: str | None = None, timeout: float = 600.0) -> str:
        """Run SQL as dba with ``isql-vt``; raises on any ``Error`` in its output (isql itself exits 0)."""
        cmd = [ISQL, f"127.0.0.1:{self.isql_port}", "dba", password or self.dba_password]
        done = subprocess.run(cmd, input=sql.encode("utf-8"), capture_output=True, timeout=timeout, check=False)
        out = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
        if done.returncode != 0 or re.search(r"\*\*\* Error|Error \w+:", out):
            raise EndpointError(f"isql failed: {out.strip()[-2000:]}")
        return out

    def bulk_load(self, file: Path, graph: str) -> None:
        """Replace *graph* with the triples of *file* using Virtuoso's bulk loader, then checkpoint.

        Idempotent: the graph is cleared and the file removed from ``DB.DBA.load_list`` first (a file
        already listed there would otherwise be skipped silently).
        """
        file = file.resolve()
        for text in (str(file), graph):
            if "'" in text or "\\" in text:
                raise EndpointError(f"{text!r}: quotes and backslashes are not allowed here.")
        out = self.isql(
            f"SPARQL CLEAR GRAPH <{graph}>;\n"
            f"DELETE FROM DB.DBA.load_list WHERE ll_file = '{file}';\n"
            f"ld_dir('{file.parent}', '{file.name}', '{graph}');\n"
            "rdf_loader_run();\n"
            "checkpoint;\n"
            f"SELECT 'LOADSTATE', ll_state, ll_error FROM DB.DBA.load_list WHERE ll_file = '{file}';\n"
        )
        row = next((ln for ln in out.splitlines() if ln.startswith("LOADSTATE")), "")
        if not re.match(r"LOADSTATE\s+2\s+NULL\s*$", row):
            raise EndpointError(f"Virtuoso could not load {file}: {row or out[-1000:]}")

    def checkpoint(self) -> None:
        """Write everything to the database file (the bulk loader does not log)."""
        self.isql("checkpoint;")

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the server (SIGTERM: a quick shutdown; the transaction log is replayed on the next start)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> VirtuosoInstance:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
