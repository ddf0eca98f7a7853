"""``make dev``: the whole platform on this machine, started and stopped as one.

Starts (or reuses, if DATABASE_URL is set) PostgreSQL, a moto server for AWS APIs, applies migrations,
seeds reference data and serves the local API Gateway. Ctrl-C (SIGINT) or SIGTERM stops everything it
started.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from contextlib import ExitStack
from types import FrameType

from dotenv import dotenv_values

from local.state import DEV_DATABASE, REPO_ROOT, dev_cluster, ensure_database

logger = logging.getLogger("local.dev")
LOCAL_EXPORTS_BUCKET = "skills-exports-local"


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _setting(name: str) -> str | None:
    return os.environ.get(name) or dotenv_values(REPO_ROOT / ".env").get(name)


def _database_url(stack: ExitStack) -> tuple[str, str]:
    configured = _setting("DATABASE_URL")
    if configured:
        return configured, "DATABASE_URL (yours; not started or stopped here)"
    cluster = dev_cluster()
    first_run = not cluster.initialized
    cluster.init()
    cluster.start()
    stack.callback(cluster.stop)
    where = f"{cluster.data_dir} on 127.0.0.1:{cluster.port}" + (" (new)" if first_run else " (reused)")
    return ensure_database(cluster, DEV_DATABASE), where


def configure_logging() -> None:
    """One line per request: uvicorn's access log. Mangum logs each request too (method, path, status) from
    inside the function; locally that is the same request twice, so its line is kept for warnings only."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("mangum.http").setLevel(logging.WARNING)


def main() -> int:
    configure_logging()
    signal.signal(signal.SIGTERM, _terminate)
    port = int(_setting("PORT") or "8000")
    with ExitStack() as stack:
        try:
            conninfo, where = _database_url(stack)
            logger.info("PostgreSQL: %s", where)

            from local.aws import create_exports_bucket, local_aws_environment, start_moto

            moto = start_moto()
            stack.callback(moto.stop)
            os.environ.update(local_aws_environment(moto.url))
            os.environ.setdefault("EXPORTS_BUCKET", LOCAL_EXPORTS_BUCKET)
            create_exports_bucket(moto.url, os.environ["EXPORTS_BUCKET"])
            # PORT too: the Twilio signature is checked against http://127.0.0.1:$PORT unless configured otherwise.
            os.environ.update({"DATABASE_URL": conninfo, "APP_ENV": "local", "PORT": str(port)})
            from local.secrets import load_or_create, twilio_development_settings
            from local.state import dev_state_root

            development = {**load_or_create(dev_state_root() / "secrets.json"), **twilio_development_settings()}
            for name, value in development.items():
                if not _setting(name):  # yours (environment or .env) win
                    os.environ[name] = value
            from local.server import local_urls

            base = f"http://127.0.0.1:{port}"
            for name, value in local_urls(base).items():  # the WebSocket management endpoint is the gateway's
                os.environ[name.upper()] = _setting(name.upper()) or value
            os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "skills-platform")
            # One EMF blob per request on the console helps nobody locally.
            os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
            logger.info("moto (AWS APIs): %s", moto.url)

            from local.seed import seed
            from shared.db.migrate import migrate

            result = migrate(conninfo)
            logger.info("migrations: applied %s, now at %s", result.applied or "nothing", result.latest)
            logger.info("seed: added %s", seed(conninfo))

            import uvicorn

            from local.server import build_local_platform, server_config

            platform = build_local_platform()
            platform.start()
            stack.callback(platform.stop)
            _print_banner(base, moto.url)
            server = uvicorn.Server(server_config(platform.app, host="127.0.0.1", port=port, log_level="info"))
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            logger.info("stopping everything make dev started")
    return 0


def _print_banner(base: str, moto_url: str) -> None:
    lines = [
        "",
        "Skills Assessment Platform is starting at " + base,
        f"  health        {base}/api/v1/health",
        f"  API docs      {base}/docs",
        f"  OpenAPI       {base}/api/v1/openapi.json",
        f"  WebSocket     {base.replace('http', 'ws', 1)}/api/v1/ws/dashboard?ticket=<POST /api/v1/ws/ticket>",
        f"  AWS (moto)    {moto_url}",
        "Try: curl -s " + base + "/api/v1/health",
        f"WhatsApp: make chat PHONE=+254700000001{'' if base.endswith(':8000') else ' PORT=' + base.rsplit(':', 1)[1]}"
        "   (signed as Twilio signs; say HI to start)",
        "Stop with Ctrl-C: PostgreSQL and moto stop with it.",
        "",
    ]
    sys.stderr.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
