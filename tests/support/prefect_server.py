"""A real `prefect server start` on 127.0.0.1 for tests that need a server (deployments,
workers, automations), started from the project's venv and stopped afterwards."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


class _RetryBusy(httpx.HTTPTransport):
    """Send a request again when the server answers 503, as Prefect's own client does.

    A Prefect server on SQLite answers 503 ("retry") when its database is busy, which a
    loaded two-core CI machine makes likely; Prefect's client retries those, so ours do."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(8):
            response = super().handle_request(request)
            if response.status_code != 503 or attempt == 7:
                return response
            response.read()
            response.close()
            time.sleep(min(0.5 * 2**attempt, 8))
        raise AssertionError("unreachable")


def api_client(api: str, timeout: float = 30) -> httpx.Client:
    """An httpx client for a test server's REST API that retries its 503 answers."""
    return httpx.Client(base_url=api, timeout=timeout, transport=_RetryBusy())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def prefect_server(home: Path, env: dict[str, str], *, wait_seconds: int = 180) -> Iterator[str]:
    """Start a server with PREFECT_HOME `home` and environment `env`; yields its API URL.

    Its log is `home/server.log`, shown when it does not come up."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    log = (home / "server.log").open("wb")
    # a loaded machine makes SQLite wait: let statements wait as long as a client would
    env = {
        "PREFECT_SERVER_DATABASE_TIMEOUT": "60",
        "PREFECT_SERVER_DATABASE_CONNECTION_TIMEOUT": "30",
        **env,
    }
    proc = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        else:
            raise AssertionError(
                f"prefect server did not answer: {(home / 'server.log').read_text()[-3000:]}"
            )
        yield api
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
