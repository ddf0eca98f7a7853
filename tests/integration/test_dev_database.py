"""The project's own PostgreSQL (make db-stop / make db-start): a restart keeps its port, so that
everything configured with it (make dev's DATABASE_URL) reaches it again."""

from __future__ import annotations

import psycopg

from local.postgres import Cluster, free_port


def test_a_restart_keeps_the_port_while_old_connections_linger(own_cluster: Cluster) -> None:
    port = own_cluster.port
    url = own_cluster.url("postgres")
    # A client that does not notice the server going away (as make dev's idle connections): the server's side
    # of the socket lingers in FIN-WAIT-2, and a plain bind on the port would fail.
    lingering = psycopg.connect(url, autocommit=True)
    try:
        own_cluster.stop()
        own_cluster.start()
        assert own_cluster.port == port
        assert free_port(port) != port  # a running server's port still reads as taken
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        lingering.close()
