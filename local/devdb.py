"""``make db-stop`` / ``make db-start`` / ``make db-status``: the dev PostgreSQL on its own (same port)."""

from __future__ import annotations

import sys

from local.state import dev_cluster


def main(argv: list[str]) -> int:
    cluster = dev_cluster()
    if not cluster.initialized:
        sys.stderr.write("no dev database yet: run make dev first\n")
        return 1
    command = argv[0] if argv else "status"
    if command == "stop":
        cluster.stop()
    elif command == "start":
        cluster.start()
    elif command != "status":
        sys.stderr.write("usage: python -m local.devdb start|stop|status\n")
        return 2
    state = "running" if cluster.is_running() else "stopped"
    sys.stdout.write(f"PostgreSQL {state}: {cluster.data_dir} (127.0.0.1:{cluster.port})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
