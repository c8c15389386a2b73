"""A throwaway PostgreSQL cluster for the tests: initdb in a temp dir, on a free loopback port, as a non-root user.

    eval "$(python -m tests.pgcluster start)"   # exports CSOPS_TEST_PG_URL and CSOPS_TEST_PG_CLUSTER
    python -m tests.pgcluster url               # the URL again
    python -m tests.pgcluster restart           # pg_ctl restart -m fast
    python -m tests.pgcluster stop              # stops the server and removes its folder
    python -m tests.pgcluster bindir            # where the server binaries are; exit 1 when there are none

PostgreSQL refuses to run as root, and CI runs as root on a fresh machine: there the cluster belongs to an
unprivileged system user (``csops-pg``, created when missing) and every server command runs through ``runuser``.
The cluster trusts connections on 127.0.0.1 and its own socket folder only (no password to keep anywhere); it
serves tests, so durability is off (fsync, synchronous_commit, full_page_writes). Collation is C, so text
sorts by bytes as it does in SQLite.

What a test needs to restart or stop the server is in a small JSON state file whose path is in
``CSOPS_TEST_PG_CLUSTER``. Fault tests restart a cluster of their own (tests/pg.py's ``pg_cluster``), never the
shared one, which other pytest workers are using at that moment. Standard library only: ``.ci/run`` starts the
cluster before the virtualenv exists.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

URL_ENV = "CSOPS_TEST_PG_URL"
STATE_ENV = "CSOPS_TEST_PG_CLUSTER"
RUN_AS = "csops-pg"
ROLE = "csops"
DATABASE = "csops"

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "timezone": "'UTC'",
    "max_connections": "200",
    "shared_buffers": "'256MB'",
    "logging_collector": "off",
}


class ClusterError(Exception):
    """The cluster cannot be found, started or stopped."""


@dataclass
class Cluster:
    """What it takes to reach and control a running test cluster (the state file's content)."""

    base: str
    data_dir: str
    socket_dir: str
    log: str
    bindir: str
    port: int
    run_as: str | None
    url: str

    @property
    def pg_ctl(self) -> str:
        return str(Path(self.bindir) / "pg_ctl")

    @property
    def state_file(self) -> str:
        return str(Path(self.base) / "cluster.json")

    def exports(self) -> str:
        return f"export {URL_ENV}='{self.url}'\nexport {STATE_ENV}='{self.state_file}'\n"

    def ctl(self, *args: str, timeout: float = 60) -> None:
        _run(self.run_as, [self.pg_ctl, "-D", self.data_dir, "-l", self.log, "-w", "-t", str(int(timeout)), *args],
             log=self.log)

    def restart(self) -> None:
        """Restart the server (fast shutdown: open sessions are cut, as when a database server restarts)."""
        self.ctl("restart", "-m", "fast")

    def stop_server(self) -> None:
        """Stop the server but keep the cluster, for a test that needs the database gone for a while."""
        self.ctl("stop", "-m", "fast")

    def start_server(self) -> None:
        self.ctl("start")

    def running(self) -> bool:
        cmd = [self.pg_ctl, "-D", self.data_dir, "status"]
        return subprocess.run(_as_user(self.run_as, cmd), capture_output=True).returncode == 0


def find_bindir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: pg_config's, else the newest /usr/lib/postgresql/N/bin."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))

    def version(path: str) -> float:
        m = re.search(r"/postgresql/(\d+(?:\.\d+)?)/bin$", path)
        return float(m.group(1)) if m else 0.0

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for c in candidates:
        if all((c / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return c
    return None


def _as_user(user: str | None, cmd: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


def _run(user: str | None, cmd: list[str], log: str | None = None) -> None:
    proc = subprocess.run(_as_user(user, cmd), capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        tail = ""
        if log and Path(log).exists():
            tail = "\n--- server log ---\n" + "\n".join(Path(log).read_text(errors="replace").splitlines()[-30:])
        raise ClusterError(f"{' '.join(cmd)} exited {proc.returncode}\n{proc.stdout}{proc.stderr}{tail}")


def _run_as_user() -> str | None:
    """None when not root; otherwise the unprivileged user the server runs as (created when missing)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(RUN_AS)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", RUN_AS], check=True, capture_output=True)
    return RUN_AS


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(base_dir: str | None = None) -> Cluster:
    """initdb, start on a free port, create the ``csops`` role's database; return the cluster."""
    bindir = find_bindir()
    if bindir is None:
        raise ClusterError("no PostgreSQL server binaries (initdb, pg_ctl, postgres): install Debian's "
                           "`postgresql` package (apt-get install --no-install-recommends postgresql)")
    user = _run_as_user()
    base = Path(tempfile.mkdtemp(prefix="csops-pg-", dir=base_dir))
    data, sock, log = base / "data", base / "run", base / "server.log"
    sock.mkdir()
    info = pwd.getpwnam(user) if user else None
    if info:
        for p in (base, sock):
            os.chown(p, info.pw_uid, info.pw_gid)
    _run(user, [str(bindir / "initdb"), "-D", str(data), "-U", ROLE, "--auth=trust", "-E", "UTF8", "--no-locale",
                "--no-sync", "--no-instructions"])
    last: ClusterError | None = None
    for _ in range(5):  # a free port can be taken between probing and binding it: try another
        port = _free_port()
        conf = dict(SETTINGS, port=str(port), unix_socket_directories=f"'{sock}'")
        auto = data / "postgresql.auto.conf"
        auto.write_text("".join(f"{k} = {v}\n" for k, v in conf.items()))
        if info:
            os.chown(auto, info.pw_uid, info.pw_gid)
        cluster = Cluster(base=str(base), data_dir=str(data), socket_dir=str(sock), log=str(log),
                          bindir=str(bindir), port=port, run_as=user,
                          url=f"postgresql://{ROLE}@127.0.0.1:{port}/{DATABASE}")
        try:
            cluster.ctl("start")
        except ClusterError as exc:
            last = exc
            continue
        _run(user, [str(bindir / "createdb") if (bindir / "createdb").exists() else "createdb",
                    "-h", str(sock), "-p", str(port), "-U", ROLE, DATABASE])
        Path(cluster.state_file).write_text(json.dumps(asdict(cluster), indent=2) + "\n")
        return cluster
    shutil.rmtree(base, ignore_errors=True)
    raise ClusterError(f"the test cluster did not start:\n{last}")


def load(state_file: str | None = None) -> Cluster:
    path = state_file or os.environ.get(STATE_ENV)
    if not path:
        raise ClusterError(f"{STATE_ENV} is not set: start a cluster with "
                           "'eval \"$(python -m tests.pgcluster start)\"'")
    try:
        return Cluster(**json.loads(Path(path).read_text()))
    except (OSError, ValueError, TypeError) as exc:
        raise ClusterError(f"cannot read the test cluster's state file {path}: {exc}") from exc


def stop(cluster: Cluster) -> None:
    """Stop the server (if it runs) and remove the cluster's folder."""
    try:
        if cluster.running():
            cluster.ctl("stop", "-m", "fast")
    finally:
        shutil.rmtree(cluster.base, ignore_errors=True)


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else ""
    state = argv[1] if len(argv) > 1 else None
    try:
        if cmd == "start":
            sys.stdout.write(start().exports())
        elif cmd == "stop":
            stop(load(state))
        elif cmd == "restart":
            load(state).restart()
        elif cmd == "url":
            print(load(state).url)
        elif cmd == "bindir":
            bindir = find_bindir()
            if bindir is None:
                return 1
            print(bindir)
        else:
            print("usage: python -m tests.pgcluster start|stop|restart|url|bindir [STATE_FILE]", file=sys.stderr)
            return 2
    except ClusterError as exc:
        print(f"pgcluster: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
