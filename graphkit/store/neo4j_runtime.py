"""The project's own Neo4j 5 Community server: fetched from Maven Central, run with Java 17.

``install`` resolves the jars with Maven (``neo4j/pom.xml``; Maven keeps them cached in
``~/.m2``) into ``build/neo4j/lib`` and compiles the small launcher in ``neo4j/Launcher.java``.
``start`` runs it detached with Bolt on 127.0.0.1, auth off, modest memory, and waits until Bolt
answers; ``stop`` shuts it down with SIGTERM (clean shutdown), then SIGKILL if it hangs.

Every transaction is held to a heap budget (``tx_memory_mb`` each, ``tx_total_mb`` all together:
Neo4j's ``db.memory.transaction.max`` and ``dbms.memory.transaction.total.max``): an ad-hoc query
whose operators (collect, ORDER BY, DISTINCT ...) grow past it fails with a memory error of its own
instead of filling the heap for everyone. The national load needs well under the default budget.
Neo4j does not count the values of expressions (a list comprehension over ``range(1, 40000000)``)
and cannot stop one while it is computed: graphkit.query refuses the expressions that build such
values before a query is sent.
Every server started here leaves a pid file in ``build/neo4j/run/`` so ``stop_all`` can always
find it, even after a crashed test run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from graphkit.config import PROJECT_ROOT
from graphkit.errors import Neo4jRuntimeError

POM = PROJECT_ROOT / "neo4j" / "pom.xml"
LAUNCHER = PROJECT_ROOT / "neo4j" / "Launcher.java"
AREA = PROJECT_ROOT / "build" / "neo4j"
LIB = AREA / "lib"
CLASSES = AREA / "classes"
RUN = AREA / "run"
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dfile.encoding=UTF-8",
]


@dataclass(frozen=True)
class Neo4jServer:
    pid: int
    port: int
    home: str
    log: str

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        raise Neo4jRuntimeError(f"`{tool}` is not on PATH: Neo4j needs Java 17 and Maven (see docs/neo4j.md)")
    return found


def _fingerprint() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()


def install(*, quiet: bool = True) -> Path:
    """Fetch the Neo4j jars (once per pom change) and compile the launcher. Returns the lib dir."""
    stamp = LIB / ".installed"
    if not (stamp.exists() and stamp.read_text().strip() == _fingerprint()):
        mvn = _need("mvn")
        if LIB.exists():
            shutil.rmtree(LIB)
        cmd = [mvn, "-B", "-f", str(POM), "package"] + (["-q"] if quiet else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-20:]
            raise Neo4jRuntimeError("Maven could not fetch Neo4j (is Maven Central reachable?)", tail)
        if not any(LIB.glob("neo4j-bolt-*.jar")):
            raise Neo4jRuntimeError(f"Maven ran but {LIB} has no neo4j-bolt jar")
        stamp.write_text(_fingerprint())
    compiled = CLASSES / "Launcher.class"
    if not compiled.exists() or compiled.stat().st_mtime < LAUNCHER.stat().st_mtime:
        javac = _need("javac")
        CLASSES.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [javac, "-nowarn", "-cp", f"{LIB}/*", "-d", str(CLASSES), str(LAUNCHER)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise Neo4jRuntimeError("javac could not compile neo4j/Launcher.java", proc.stderr.splitlines()[-20:])
    return LIB


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, n: int = 30) -> list[str]:
    try:
        return path.read_text(errors="replace").splitlines()[-n:]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); reap it if it is ours.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def start(
    home: Path,
    *,
    port: int | None = None,
    heap_mb: int = 1024,
    pagecache_mb: int = 256,
    tx_memory_mb: int | None = None,
    tx_total_mb: int | None = None,
    timeout: float = 240.0,
    fresh: bool = True,
) -> Neo4jServer:
    """Start a server whose data lives in ``home``; returns once Bolt answers on 127.0.0.1.

    ``tx_memory_mb`` (default 70% of the heap) caps the heap one transaction may hold and
    ``tx_total_mb`` (default the same) all transactions together; both must leave the server
    room for itself, so they are refused when they reach the heap."""
    tx_memory_mb, tx_total_mb = transaction_memory(heap_mb, tx_memory_mb, tx_total_mb)
    install()
    java = _need("java")
    home = Path(home).resolve()
    if fresh and home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    RUN.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = home / "launcher.log"
    cmd = [
        java,
        f"-Xms{min(heap_mb, 512)}m",
        f"-Xmx{heap_mb}m",
        *JVM_FLAGS,
        "-cp",
        f"{CLASSES}:{LIB}/*",
        "Launcher",
        str(home / "dbms"),
        str(port),
        str(pagecache_mb),
        str(tx_memory_mb),
        str(tx_total_mb),
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    server = Neo4jServer(pid=proc.pid, port=port, home=str(home), log=str(log))
    (RUN / f"{proc.pid}.json").write_text(json.dumps(asdict(server)))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _forget(server)
            raise Neo4jRuntimeError(f"Neo4j exited with code {proc.returncode} while starting; log {log}", _tail(log))
        if "ready bolt://" in log.read_text(errors="replace"):
            return server
        time.sleep(0.5)
    stop(server)
    raise Neo4jRuntimeError(f"Neo4j did not answer on Bolt within {timeout:.0f}s; log {log}", _tail(log))


def transaction_memory(heap_mb: int, tx_memory_mb: int | None, tx_total_mb: int | None) -> tuple[int, int]:
    """The per-transaction and total transaction memory budgets (MB) for a heap of ``heap_mb``.

    >>> transaction_memory(1024, None, None)
    (716, 716)
    >>> transaction_memory(1024, 600, 650)
    (600, 650)
    """
    # 70% of the heap for one transaction and for all together: the loader's swap relabels the whole graph
    # in one transaction (two graphs' worth of index updates when a graph is loaded over another), and a
    # quarter of the heap was too little for it on the national graph; the rest of the heap stays free for
    # the page of work outside transactions
    one = tx_memory_mb if tx_memory_mb is not None else heap_mb * 7 // 10
    total = tx_total_mb if tx_total_mb is not None else max(one, heap_mb * 7 // 10)
    if not 0 < one <= total < heap_mb:
        raise Neo4jRuntimeError(
            f"transaction memory must satisfy 0 < per transaction ({one} MB) <= total ({total} MB) "
            f"< heap ({heap_mb} MB)"
        )
    return one, total


def _forget(server: Neo4jServer) -> None:
    with contextlib.suppress(FileNotFoundError):
        (RUN / f"{server.pid}.json").unlink()


def stop(server: Neo4jServer, *, timeout: float = 90.0) -> None:
    """SIGTERM (clean shutdown through the launcher's hook), then SIGKILL after ``timeout``."""
    if _alive(server.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(server.pid) and time.monotonic() < deadline:
            time.sleep(0.25)
        if _alive(server.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            while _alive(server.pid):
                time.sleep(0.1)
    _forget(server)


def running() -> list[Neo4jServer]:
    servers = []
    for f in sorted(RUN.glob("*.json")) if RUN.exists() else []:
        try:
            s = Neo4jServer(**json.loads(f.read_text()))
        except (ValueError, TypeError):
            f.unlink()
            continue
        if _alive(s.pid):
            servers.append(s)
        else:
            f.unlink()
    return servers


def stop_all() -> int:
    servers = running()
    for s in servers:
        stop(s)
    return len(servers)
