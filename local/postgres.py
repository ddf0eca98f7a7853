"""A PostgreSQL cluster of the project's own, for ``make dev`` and the tests; never one someone else started.

initdb refuses to run as root, so as root every server command runs as the unprivileged ``postgres``
user, and the cluster lives where that user can reach it. The server listens on 127.0.0.1 only, on a free
port, with a generated password (scram-sha-256) kept beside the data folder.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from psycopg.conninfo import make_conninfo

PG_BIN_CANDIDATES = ("/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")
SERVER_USER = "postgres"
DB_USER = "skills"


def pg_bin() -> Path:
    configured = os.environ.get("PG_BIN")
    for candidate in ([configured] if configured else []) + list(PG_BIN_CANDIDATES):
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL server binaries not found; install postgresql (or set PG_BIN)")


def free_port(preferred: int | None = None) -> int:
    """``preferred`` if a server may listen on it now, else any free port.

    The probe binds as PostgreSQL does, with SO_REUSEADDR: connections of a server that just stopped linger
    on its port (FIN-WAIT-2, TIME-WAIT) and would fail a plain bind, but do not keep a new server off it."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port")


def is_root() -> bool:
    return os.geteuid() == 0


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *args] if is_root() else args


def _chown_to_server_user(path: Path) -> None:
    if is_root():
        shutil.chown(path, SERVER_USER, SERVER_USER)


def server_user_can_reach(folder: Path) -> bool:
    """Whether the server user may enter every parent of ``folder`` (CI may clone under root-only folders)."""
    if not is_root():
        return True
    probe = folder if folder.exists() else folder.parent
    result = subprocess.run(_as_server_user(["test", "-x", str(probe)]), check=False, capture_output=True)
    return result.returncode == 0


@dataclass
class Cluster:
    """A cluster in ``root``: ``root/data`` (the data folder), ``root/run`` (socket), ``root/password``."""

    root: Path
    fast_and_unsafe: bool = False  # tests: no fsync; never for data someone keeps
    settings: dict[str, str] = field(default_factory=dict)  # more server settings, e.g. for benchmarks

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def password(self) -> str:
        return (self.root / "password").read_text().strip()

    @property
    def port(self) -> int:
        for line in (self.data_dir / "postgresql.auto.conf").read_text().splitlines():
            if line.startswith("port"):
                return int(line.split("=", 1)[1].strip().strip("'"))
        raise RuntimeError("cluster has no port configured")

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            _as_server_user([str(pg_bin() / args[0]), *args[1:]]), check=True, text=True, capture_output=True
        )

    @property
    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def init(self) -> None:
        """Create the cluster (idempotent)."""
        if self.initialized:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        self.root.chmod(0o700)
        password_file = self.root / "password"
        password_file.write_text(secrets.token_urlsafe(24))
        password_file.chmod(0o600)
        for path in (self.root, self.socket_dir, password_file):
            _chown_to_server_user(path)
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            DB_USER,
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-instructions",
        )
        self.configure_port(free_port(None))

    def configure_port(self, port: int) -> None:
        settings = {
            "port": str(port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "max_connections": "200",
        }
        if self.fast_and_unsafe:
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        settings |= self.settings
        lines = [f"{k} = {v}" for k, v in settings.items()]
        conf = self.data_dir / "postgresql.auto.conf"
        conf.write_text("# Written by local/postgres.py\n" + "\n".join(lines) + "\n")
        _chown_to_server_user(conf)

    def is_running(self) -> bool:
        result = subprocess.run(
            _as_server_user([str(pg_bin() / "pg_ctl"), "-D", str(self.data_dir), "status"]),
            check=False,
            capture_output=True,
        )
        return result.returncode == 0

    def start(self) -> None:
        """Start the server and wait until it accepts connections; moves to a free port if its own is taken."""
        if self.is_running():
            return
        if free_port(self.port) != self.port:
            self.configure_port(free_port(None))
        if not self.log_file.exists():
            self.log_file.touch()
            _chown_to_server_user(self.log_file)
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60", "start")

    def stop(self) -> None:
        if self.is_running():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop")

    def url(self, dbname: str = "postgres") -> str:
        return make_conninfo(host="127.0.0.1", port=str(self.port), user=DB_USER, password=self.password, dbname=dbname)

    def remove(self) -> None:
        self.stop()
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(self.root)
